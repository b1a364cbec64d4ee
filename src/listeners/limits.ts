// Connection limits of the listeners: how long a client may take (slow-loris clients must not hold sockets or
// shutdown open), how many connections one process keeps open, and how many one client address may hold.
import type { Server, Socket } from 'node:net';

export const CONNECTION_TIMEOUTS = {
  /** The request line and headers must arrive within this. */
  headersTimeout: 10_000,
  /** The whole request (body included). */
  requestTimeout: 30_000,
  /** An idle keep-alive connection (HTTP/1.1) or HTTP/2 session is closed after this. */
  keepAliveTimeout: 5_000,
  /** The TLS handshake (ClientHello included). */
  handshakeTimeout: 10_000,
  /** How often node checks the header and request deadlines (its default, 30 s, would let a slow client stay 40 s). */
  checkingInterval: 1_000,
} as const;

export interface LimitLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface ConnectionLimits {
  /** Open connections over every listener it is attached to. */
  max: number;
  /** Open connections from one client address (the peer of the TCP connection: a proxy counts as one client). */
  perClient: number;
}

/** Refusals are logged at most this often (a flood must not become a log flood). */
const LOG_EVERY_MS = 60_000;

/**
 * Counts the open connections of one or more servers and closes new ones over the limits at once (before any byte
 * is read). Also the list of sockets a shutdown destroys when its grace period is over.
 */
export class ConnectionTracker {
  private readonly open = new Set<Socket>();
  private readonly perAddress = new Map<string, number>();
  private refused = 0;
  private lastLog = 0;

  constructor(private readonly limits: ConnectionLimits, private readonly log?: LimitLog) {}

  get size(): number {
    return this.open.size;
  }

  /** Call before anything else listens for 'connection' (it is prepended, so it runs first). */
  attach(server: Server): void {
    server.prependListener('connection', (socket: Socket) => this.admit(socket));
  }

  /** Ends every tracked connection (shutdown after its grace period). */
  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.open.size >= this.limits.max || fromAddress >= this.limits.perClient) {
      this.refuse(this.open.size >= this.limits.max ? 'max' : 'per-client');
      socket.destroy();
      return;
    }
    this.open.add(socket);
    this.perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.open.delete(socket);
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
  }

  private refuse(which: 'max' | 'per-client'): void {
    this.refused++;
    const now = Date.now();
    if (now - this.lastLog < LOG_EVERY_MS) return;
    this.lastLog = now;
    // The address of a flooding client is not personal data the way an e-mail address is, but it is not needed: the count says enough.
    const limit = which === 'max' ? `MAILCONFIG_MAX_CONNECTIONS=${this.limits.max}` : `MAILCONFIG_MAX_CONNECTIONS_PER_CLIENT=${this.limits.perClient}`;
    this.log?.warn({ refused: this.refused, open: this.open.size, limit: which }, `connection limit reached (${limit}): new connections are closed at once`);
    this.refused = 0;
  }
}
