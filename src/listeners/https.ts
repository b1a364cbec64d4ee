// The HTTPS listener's TLS options: TLS 1.2 minimum, HTTP/2 and HTTP/1.1 by ALPN (plus acme-tls/1 for RFC 8737
// validations), the default certificate, and an SNICallback asking the certificate store.
import { constants, type SecureServerOptions, type Http2SecureServer, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Server as TlsServer } from 'node:tls';
import type { DefaultCertificate } from '../tls/default-certificate.js';
import { MIN_TLS_VERSION } from '../tls/context.js';
import { readAlpnBeforeHandshake, sniCallback } from '../tls/client-hello.js';
import type { CertificateStore } from '../tls/store.js';
import { CONNECTION_TIMEOUTS } from './limits.js';

/** ALPN ids the HTTPS port speaks, in the server's order of preference. */
export const ALPN_PROTOCOLS = ['h2', 'http/1.1', 'acme-tls/1'] as const;

export function httpsOptions(store: CertificateStore, defaults: DefaultCertificate | undefined): SecureServerOptions {
  const fallback = () => defaults?.current().context;
  const pem = defaults?.current().pem;
  return {
    allowHTTP1: true,
    minVersion: MIN_TLS_VERSION,
    handshakeTimeout: CONNECTION_TIMEOUTS.handshakeTimeout,
    ...(pem ? { cert: pem.cert, key: pem.key } : {}),
    SNICallback: sniCallback((hello) => store.contextFor(hello), fallback),
  };
}

/**
 * What the HTTP/2 server needs after fastify made it: the timeouts of its HTTP/1.1 fallback, acme-tls/1 in its
 * ALPN list, the ClientHello reader, the default certificate swapped on reload, and its sessions for shutdown.
 */
export function prepareHttpsServer(server: Http2SecureServer, defaults: DefaultCertificate | undefined): { closeSessions(): void } {
  // Read by node when the server starts listening (its default checking interval is 30 s).
  const http1 = server as unknown as { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number };
  http1.connectionsCheckingInterval = CONNECTION_TIMEOUTS.checkingInterval;
  http1.headersTimeout = CONNECTION_TIMEOUTS.headersTimeout;
  http1.requestTimeout = CONNECTION_TIMEOUTS.requestTimeout;
  http1.keepAliveTimeout = CONNECTION_TIMEOUTS.keepAliveTimeout;
  // node's http2 server sets its ALPN list itself (h2, http/1.1); acme-tls/1 goes last, so only a client offering
  // nothing else (the CA's tls-alpn-01 validation) gets it. The connection then ends after the handshake.
  (server as unknown as { ALPNProtocols: Buffer }).ALPNProtocols = alpnWire(ALPN_PROTOCOLS);
  server.on('unknownProtocol', (socket: { destroy(): void }) => socket.destroy());
  readAlpnBeforeHandshake(server as unknown as TlsServer, CONNECTION_TIMEOUTS.handshakeTimeout);
  defaults?.on('reloaded', (loaded) => server.setSecureContext({ cert: loaded.pem.cert, key: loaded.pem.key, minVersion: MIN_TLS_VERSION }));
  // HTTP/2 has no header timeout of its own (a HEADERS frame arrives whole): a request whose body has not fully
  // arrived by the whole-request deadline is cancelled (a slow answer is not: the deadline is the client's); an idle
  // session is closed by fastify's http2SessionTimeout (the keep-alive time).
  server.on('stream', (stream: ServerHttp2Stream) => {
    if (stream.endAfterHeaders) return;
    const timer = setTimeout(() => {
      if (!stream.closed && !stream.readableEnded) stream.close(constants.NGHTTP2_CANCEL);
    }, CONNECTION_TIMEOUTS.requestTimeout);
    timer.unref();
    stream.once('close', () => clearTimeout(timer));
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  return {
    // GOAWAY: streams already open finish, no new ones start.
    closeSessions: () => {
      for (const session of sessions) session.close();
    },
  };
}

/** RFC 7301 wire format: each id prefixed by its length. */
function alpnWire(ids: readonly string[]): Buffer {
  return Buffer.concat(ids.map((id) => Buffer.concat([Buffer.from([id.length]), Buffer.from(id, 'latin1')])));
}
