// The TCP/TLS session of one probe: connects to the vetted address (never a name), upgrades to TLS on demand,
// and reads lines within the per-read limit and the overall deadline. What the TLS side showed (version,
// certificate) is kept for the result.
import { Socket, isIP, type LookupFunction } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { CertificateFacts, ProbeTarget } from '../types.js';
import { deprecatedTls } from './capabilities.js';
import { PROBE_TLS, certificateFacts, contextTrusting, oldTlsOnly } from './certificate.js';
import { ProbeFailure, socketFailure } from './failure.js';
import { Wire } from './wire.js';

export interface SessionSettings {
  /** The whole session ends after this many milliseconds. */
  timeoutMs: number;
  /** Longest wait for any single answer; defaults to timeoutMs. */
  readTimeoutMs?: number;
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM). */
  ca?: string[] | undefined;
  /** Most bytes read over the whole conversation. */
  maxBytes: number;
  /** Told what the certificate is the moment the handshake is done, before the conversation goes on. */
  onCertificate?: ((facts: CertificateFacts) => void) | undefined;
}

/** What a dialogue needs from the session: lines in and out, and the upgrade to TLS. */
export interface Conversation {
  /** The next line; `what` names it in the timeout message ("no greeting within 300 ms"). */
  line(what: string): Promise<string>;
  write(line: string): void;
  /** Upgrades the connection to TLS (after the server's go-ahead to STARTTLS). */
  startTls(): Promise<void>;
}

function ignore(): void {
  // a listener that keeps late socket errors from becoming uncaught exceptions
}

/** Node must never resolve a name for a probe; connecting to an IP literal does not call this. */
const refuseLookup: LookupFunction = (hostname, _options, callback) => {
  callback(Object.assign(new Error(`refusing to resolve ${hostname}: probes connect to vetted addresses only`), { code: 'EREFUSED' }), '', 4);
};

export class Session implements Conversation {
  tlsVersion: string | undefined;
  certificate: CertificateFacts | undefined;
  private readonly wire: Wire;
  private readonly deadline: number;
  private readonly readLimit: number;
  private socket: Socket | undefined;
  private secure: TLSSocket | undefined;
  private readonly onAbort = (): void => {
    this.wire.fail(new ProbeFailure('cancelled', 'aborted'));
    this.destroy();
  };

  constructor(
    private readonly target: ProbeTarget,
    private readonly settings: SessionSettings,
  ) {
    this.wire = new Wire(settings.maxBytes);
    this.deadline = performance.now() + settings.timeoutMs;
    this.readLimit = settings.readTimeoutMs ?? settings.timeoutMs;
  }

  /** Connects, and for implicit TLS completes the handshake. */
  async open(): Promise<void> {
    const { signal } = this.settings;
    if (signal?.aborted) throw new ProbeFailure('cancelled', 'aborted');
    signal?.addEventListener('abort', this.onAbort, { once: true });
    await this.connect();
    if (this.target.security === 'tls') await this.startTls();
  }

  destroy(): void {
    this.settings.signal?.removeEventListener('abort', this.onAbort);
    this.wire.detach();
    this.secure?.destroy();
    this.socket?.destroy();
  }

  line(what: string): Promise<string> {
    return this.wire.line(this.budget(), `no ${what} within ${this.limitText()}`);
  }

  write(line: string): void {
    this.wire.write(line);
  }

  /** Upgrades the current connection to TLS and records version and certificate facts. */
  async startTls(): Promise<void> {
    const socket = this.socket as Socket;
    if (this.wire.unreadBytes > 0) {
      throw new ProbeFailure('starttls', 'the server sent data after agreeing to STARTTLS and before the TLS handshake (possible STARTTLS command injection)');
    }
    this.wire.detach(); // from here on, errors surface through the TLS socket
    const host = this.target.host;
    const ca = this.settings.ca ?? [];
    const secure = tlsConnect({
      socket,
      servername: isIP(host) === 0 ? host : undefined,
      // Accept anything so every problem can be reported; the verdict is ours (see certificateVerdict).
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      secureContext: ca.length > 0 ? contextTrusting(ca) : undefined,
      ...PROBE_TLS,
    });
    this.secure = secure;
    secure.on('error', ignore);
    let done = false;
    secure.once('secureConnect', () => {
      done = true;
      this.wire.notify();
    });
    const onHandshakeError = (error: Error): void =>
      this.wire.fail(
        oldTlsOnly(error)
          ? new ProbeFailure('old-tls', 'the server offers only TLS 1.1 or older, deprecated (RFC 8996, RFC 8997): not offered as a secure server')
          : new ProbeFailure('tls', socketFailure(error, 'TLS handshake failed: ').message),
      );
    secure.on('error', onHandshakeError);
    await this.wire.until(() => done, this.budget(), `no TLS handshake within ${this.limitText()}`);
    secure.off('error', onHandshakeError);
    this.wire.attach(secure);
    const version = secure.getProtocol();
    if (version) this.tlsVersion = version;
    this.certificate = certificateFacts(secure, host, ca);
    const outdated = deprecatedTls(version);
    if (outdated) this.certificate.problems.push(outdated);
    this.settings.onCertificate?.(this.certificate);
  }

  /** Time left for one wait: the per-read limit, but never past the overall deadline. */
  private budget(): number {
    return Math.max(0, Math.min(this.readLimit, this.deadline - performance.now()));
  }

  private limitText(): string {
    return `${Math.min(this.readLimit, this.settings.timeoutMs)} ms`;
  }

  private async connect(): Promise<void> {
    const socket = new Socket();
    this.socket = socket;
    socket.on('error', ignore); // the wire reports errors while attached; none may crash the process afterwards
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      this.wire.notify();
    });
    this.wire.attach(socket);
    socket.connect({ host: this.target.address, port: this.target.port, lookup: refuseLookup, noDelay: true });
    await this.wire.until(() => connected, this.budget(), `could not connect within ${this.limitText()}`);
  }
}
