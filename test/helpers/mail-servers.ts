// Scripted IMAP, POP3 and SMTP servers for tests: just enough protocol to greet, list capabilities, upgrade with
// STARTTLS and say goodbye, plus switches for the misbehaviour discovery must survive (no greeting, failing STARTTLS,
// capabilities that change after TLS, bytes injected before the TLS handshake, old TLS versions).
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, type SecureContext, type SecureVersion } from 'node:tls';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pem } from './certs.js';

export type FakeMode = 'tls' | 'starttls' | 'none';

export interface FakeServerOptions {
  /** A 127.x.y.z address; the server binds to it alone. */
  host: string;
  /** 0 or absent = a random free port. */
  port?: number;
  mode: FakeMode;
  /** Certificate and key for tls/starttls. */
  pem?: Pem;
  /** Capabilities advertised (IMAP atoms, POP3 CAPA lines, SMTP EHLO keywords). In starttls mode the STARTTLS/STLS
   *  keyword is added before TLS and removed after it. Defaults per protocol. */
  capabilities?: string[];
  /** Capabilities after the STARTTLS upgrade when they should differ from those before it. */
  capabilitiesAfterTls?: string[];
  /** Advertise STARTTLS but refuse it (IMAP NO, POP3 -ERR, SMTP 454). */
  starttlsFails?: boolean;
  /** Accept TCP (and TLS) but never send a greeting. */
  neverGreet?: boolean;
  /** Milliseconds added before every answer (benchmarks). */
  delayMs?: number;
  /** Replaces the greeting line(s), e.g. '* BYE too busy' or '554 no service here'. */
  greeting?: string;
  /** Plaintext sent right behind the STARTTLS go-ahead, before the handshake (a STARTTLS injection attack). */
  injectAfterStarttls?: string;
  /** Highest TLS version offered (e.g. 'TLSv1.1' to test the RFC 8997 warning). */
  tlsMaxVersion?: SecureVersion;
}

export interface FakeServer {
  host: string;
  port: number;
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

type Protocol = 'imap' | 'pop3' | 'smtp';

const DEFAULT_CAPABILITIES: Record<Protocol, string[]> = {
  imap: ['IMAP4rev1', 'AUTH=PLAIN', 'AUTH=LOGIN'],
  pop3: ['USER', 'SASL PLAIN LOGIN', 'UIDL'],
  smtp: ['PIPELINING', 'AUTH PLAIN LOGIN', '8BITMIME'],
};
const STARTTLS_KEYWORD: Record<Protocol, string> = { imap: 'STARTTLS', pop3: 'STLS', smtp: 'STARTTLS' };

export function startFakeImap(opts: FakeServerOptions): Promise<FakeServer> {
  return startFake('imap', opts);
}

export function startFakePop3(opts: FakeServerOptions): Promise<FakeServer> {
  return startFake('pop3', opts);
}

export function startFakeSmtp(opts: FakeServerOptions): Promise<FakeServer> {
  return startFake('smtp', opts);
}

/** One client connection: reads lines from the current stream (plain, then TLS) and answers them in order. */
class Session {
  private stream: Duplex;
  private pending = '';
  private chain: Promise<void> = Promise.resolve();
  tls = false;
  closed = false;

  constructor(
    private readonly raw: Socket,
    private readonly protocol: Protocol,
    private readonly opts: FakeServerOptions,
    private readonly context: SecureContext | undefined,
  ) {
    this.stream = raw;
    raw.on('error', () => this.close());
    raw.on('close', () => (this.closed = true));
  }

  async begin(): Promise<void> {
    if (this.opts.mode === 'tls') {
      const secure = await this.wrap();
      if (!secure) return;
    } else {
      this.listen();
    }
    if (this.opts.neverGreet) return;
    await this.send(this.opts.greeting ?? GREETINGS[this.protocol]);
  }

  capabilities(): string[] {
    const base = this.opts.capabilities ?? DEFAULT_CAPABILITIES[this.protocol];
    const keyword = STARTTLS_KEYWORD[this.protocol];
    if (this.opts.mode !== 'starttls') return base;
    if (this.tls) return (this.opts.capabilitiesAfterTls ?? base).filter((cap) => cap !== keyword);
    return base.includes(keyword) ? base : [...base, keyword];
  }

  /** Writes one answer (CRLF-terminated lines), after the configured delay. */
  async send(text: string): Promise<void> {
    if (this.opts.delayMs) await sleep(this.opts.delayMs);
    if (this.closed) return;
    this.stream.write(text.replace(/\r?\n/g, '\r\n') + '\r\n');
  }

  close(): void {
    this.closed = true;
    this.stream.destroy();
    this.raw.destroy();
  }

  /** Answers STARTTLS, then switches to TLS; lines the client pipelined behind STARTTLS are dropped (RFC 3207). */
  async upgrade(goAhead: string): Promise<void> {
    if (this.opts.delayMs) await sleep(this.opts.delayMs);
    if (this.closed) return;
    this.raw.removeAllListeners('data');
    this.pending = '';
    this.raw.write(goAhead + '\r\n' + (this.opts.injectAfterStarttls ?? ''));
    await this.wrap();
  }

  private async wrap(): Promise<boolean> {
    if (!this.context) throw new Error('fake server needs `pem` for TLS');
    this.raw.removeAllListeners('data');
    const secure = new TLSSocket(this.raw, { isServer: true, secureContext: this.context });
    secure.on('error', () => this.close());
    this.stream = secure;
    this.listen();
    try {
      await once(secure, 'secure');
    } catch {
      return false;
    }
    this.tls = true;
    return true;
  }

  private listen(): void {
    this.stream.on('data', (chunk: Buffer) => {
      this.pending += chunk.toString('latin1');
      let end: number;
      while ((end = this.pending.indexOf('\n')) !== -1) {
        const line = this.pending.slice(0, end).replace(/\r$/, '');
        this.pending = this.pending.slice(end + 1);
        this.chain = this.chain.then(() => (this.closed ? undefined : HANDLERS[this.protocol](this, line, this.opts))).catch(() => this.close());
      }
    });
  }
}

const GREETINGS: Record<Protocol, string> = {
  imap: '* OK fake IMAP ready',
  pop3: '+OK fake POP3 ready',
  smtp: '220 fake.test ESMTP fake SMTP ready',
};

type Handler = (session: Session, line: string, opts: FakeServerOptions) => Promise<void>;

const canStartTls = (session: Session, opts: FakeServerOptions): boolean => opts.mode === 'starttls' && !session.tls && !opts.starttlsFails;

const HANDLERS: Record<Protocol, Handler> = {
  async imap(session, line, opts) {
    const [tag = '*', command = ''] = line.split(' ');
    switch (command.toUpperCase()) {
      case 'CAPABILITY':
        return session.send(`* CAPABILITY ${session.capabilities().join(' ')}\n${tag} OK CAPABILITY completed`);
      case 'STARTTLS':
        if (canStartTls(session, opts)) return session.upgrade(`${tag} OK Begin TLS negotiation now`);
        return session.send(opts.mode === 'starttls' && !session.tls ? `${tag} NO STARTTLS unavailable right now` : `${tag} BAD STARTTLS not supported`);
      case 'LOGOUT':
        await session.send(`* BYE logging out\n${tag} OK LOGOUT completed`);
        return session.close();
      case 'NOOP':
        return session.send(`${tag} OK NOOP completed`);
      default:
        return session.send(`${tag} BAD unknown command`);
    }
  },
  async pop3(session, line, opts) {
    switch (line.split(' ')[0]?.toUpperCase()) {
      case 'CAPA':
        return session.send(['+OK capability list follows', ...session.capabilities(), '.'].join('\n'));
      case 'STLS':
        if (canStartTls(session, opts)) return session.upgrade('+OK begin TLS negotiation');
        return session.send('-ERR STLS not available');
      case 'QUIT':
        await session.send('+OK bye');
        return session.close();
      default:
        return session.send('-ERR unknown command');
    }
  },
  async smtp(session, line, opts) {
    const [verb = '', argument = ''] = line.split(' ');
    switch (verb.toUpperCase()) {
      case 'EHLO': {
        const lines = [`fake.test greets ${argument}`, ...session.capabilities()];
        return session.send(lines.map((text, i) => `250${i === lines.length - 1 ? ' ' : '-'}${text}`).join('\n'));
      }
      case 'HELO':
        return session.send('250 fake.test');
      case 'STARTTLS':
        if (canStartTls(session, opts)) return session.upgrade('220 2.0.0 ready to start TLS');
        return session.send(opts.mode === 'starttls' && !session.tls ? '454 4.7.0 TLS not available due to temporary reason' : '502 5.5.1 command not implemented');
      case 'QUIT':
        await session.send('221 2.0.0 bye');
        return session.close();
      default:
        return session.send('502 5.5.2 command not recognized');
    }
  },
};

async function startFake(protocol: Protocol, opts: FakeServerOptions): Promise<FakeServer> {
  if (!opts.host.startsWith('127.')) throw new Error(`fake ${protocol} server must bind to a 127.x.y.z address, not ${opts.host}`);
  if (opts.mode !== 'none' && !opts.pem) throw new Error(`fake ${protocol} server in ${opts.mode} mode needs \`pem\``);
  const context = opts.pem
    ? createSecureContext({
        key: opts.pem.key,
        cert: opts.pem.cert,
        ...(opts.tlsMaxVersion ? { maxVersion: opts.tlsMaxVersion, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } : {}),
      })
    : undefined;
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((raw) => {
    accepted += 1;
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    void new Session(raw, protocol, opts, context).begin().catch(() => raw.destroy());
  });
  server.listen({ host: opts.host, port: opts.port ?? 0 });
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fake server has no TCP address');
  return {
    host: opts.host,
    port: address.port,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
