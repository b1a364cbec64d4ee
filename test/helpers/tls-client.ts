// Small TLS clients for the HTTPS listener tests: one handshake (which certificate, which ALPN protocol), an HTTP/2
// request with node:http2, an HTTP/1.1 request over TLS.
import { connect as h2connect } from 'node:http2';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { connect, type SecureVersion } from 'node:tls';

export interface HandshakeResult {
  /** SHA-256 fingerprint of the certificate the server sent. */
  fingerprint: string;
  alpn: string | false;
  protocol: string | null;
  authorized: boolean;
}

export interface HandshakeOptions {
  port: number;
  servername?: string;
  ca?: string;
  alpn?: string[];
  maxVersion?: SecureVersion;
}

/** One TLS handshake to 127.0.0.1; rejects with the TLS error when it fails. */
export function handshake(options: HandshakeOptions): Promise<HandshakeResult> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port: options.port,
      servername: options.servername,
      ca: options.ca,
      rejectUnauthorized: false,
      ALPNProtocols: options.alpn,
      maxVersion: options.maxVersion,
      minVersion: options.maxVersion === 'TLSv1.1' ? 'TLSv1' : undefined,
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timed out')));
    socket.once('secureConnect', () => {
      const raw = socket.getPeerCertificate().raw;
      resolve({ fingerprint: raw ? fingerprintOf(raw) : '', alpn: socket.alpnProtocol ?? false, protocol: socket.getProtocol(), authorized: socket.authorized });
      socket.end();
    });
    socket.once('error', reject);
  });
}

export function fingerprintOf(cert: string | Buffer): string {
  return new X509Certificate(cert).fingerprint256;
}

/** GET over HTTP/2 (ALPN h2 only); resolves with status, body and the session's ALPN protocol. */
export function h2Get(port: number, path: string, ca: string, servername = 'localhost'): Promise<{ status: number; body: string; alpn: string | undefined }> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`https://127.0.0.1:${port}`, { ca, servername });
    session.once('error', reject);
    const stream = session.request({ ':path': path, ':authority': servername });
    let body = '';
    let status = 0;
    stream.setEncoding('utf8');
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => {
      const alpn = session.alpnProtocol;
      session.close();
      resolve({ status, body, alpn });
    });
    stream.on('error', reject);
  });
}

/** GET over HTTP/1.1 and TLS (ALPN http/1.1). */
export function https1Get(port: number, path: string, ca: string, servername = 'localhost'): Promise<{ status: number; body: string; alpn: string | false }> {
  return new Promise((resolve, reject) => {
    // ALPNProtocols is passed on to tls.connect (the https types leave it out).
    const options = { host: '127.0.0.1', port, path, ca, servername, headers: { host: servername }, agent: false, ALPNProtocols: ['http/1.1'] };
    const request = httpsRequest(options as RequestOptions, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, alpn: (res.socket as unknown as { alpnProtocol: string | false }).alpnProtocol }));
    });
    request.on('error', reject);
    request.end();
  });
}
