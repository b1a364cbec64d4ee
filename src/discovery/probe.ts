// Connects to one candidate mail server and reports what really answers: greeting, capabilities (re-read after
// STARTTLS, because what a server says in plaintext can be stripped or forged on the way), authentication methods,
// TLS version and certificate facts. It never logs in and never sends credentials. It never resolves names either:
// it connects to the vetted address it is given, so DNS cannot be changed under it (rebinding).
import { isIP, Socket, type LookupFunction } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, createSecureContext, rootCertificates, type DetailedPeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { AuthMethod } from '../settings/model.js';
import type { CertificateFacts, NetworkGuard, ProbeResult, ProbeTarget } from './types.js';

export interface ProbeOptions {
  /** The whole probe (connect, TLS, every read) ends after this many milliseconds. */
  timeoutMs: number;
  /** Longest wait for any single answer; defaults to timeoutMs. */
  readTimeoutMs?: number;
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM), added to Node's bundled ones (tests use their own CA). */
  ca?: string[];
  /** The name sent with SMTP EHLO. */
  ehloName?: string;
  /** Most bytes read from the server over the whole conversation (default 16 KiB). */
  maxBytes?: number;
  /** When given, the address is checked once more before connecting (defence in depth; the pipeline vets first). */
  guard?: NetworkGuard;
}

const DEFAULT_MAX_BYTES = 16 * 1024;
const DEFAULT_EHLO_NAME = 'mailconfig.invalid';
/** Server text quoted in results is cut to this length: it ends up in JSON, pages and terminals. */
const QUOTE_LIMIT = 200;

/** A failure described in words for the result's `error`. */
class ProbeFailure extends Error {}

export async function probe(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const result: ProbeResult = { target, ok: false, capabilities: [], auth: [], loginDisabled: false, ms: 0 };
  const session = new Session(target, options, result);
  try {
    await session.run();
    const certificateError = certificateVerdict(target, result.certificate);
    if (certificateError) result.error = certificateError;
    else result.ok = true;
  } catch (error) {
    result.error = error instanceof ProbeFailure ? error.message : `unexpected error: ${String(error)}`;
  } finally {
    session.destroy();
    result.ms = Math.round(performance.now() - started);
  }
  return result;
}

/** Why the TLS side is not acceptable, or undefined. Plain connections have nothing to check. */
function certificateVerdict(target: ProbeTarget, facts: CertificateFacts | undefined): string | undefined {
  if (target.security === 'none') return undefined;
  if (!facts) return 'no certificate was received';
  if (facts.trusted && facts.nameMatches && !facts.expired && !facts.notYetValid) return undefined;
  return `certificate not acceptable: ${facts.problems.filter((problem) => problem.startsWith('certificate')).join('; ')}`;
}

/** Reads lines from the current stream (plain, then TLS) with a byte cap, deadlines and abort. */
class Wire {
  private buffer = Buffer.alloc(0);
  private received = 0;
  private stream: Duplex | undefined;
  private failure: ProbeFailure | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly maxBytes: number) {}

  attach(stream: Duplex): void {
    this.stream = stream;
    stream.on('data', this.onData);
    stream.on('error', this.onError);
    stream.on('close', this.onClose);
  }

  detach(): void {
    this.stream?.off('data', this.onData);
    this.stream?.off('error', this.onError);
    this.stream?.off('close', this.onClose);
    this.stream = undefined;
  }

  get unreadBytes(): number {
    return this.buffer.length;
  }

  fail(failure: ProbeFailure): void {
    this.failure ??= failure;
    this.notify();
  }

  notify(): void {
    this.wake?.();
  }

  write(line: string): void {
    this.stream?.write(`${line}\r\n`);
  }

  /** Waits until `ready()` holds; throws the first failure or `timeoutMessage` after `ms`. */
  async until(ready: () => boolean, ms: number, timeoutMessage: string): Promise<void> {
    const deadline = performance.now() + ms;
    for (;;) {
      if (ready()) return;
      if (this.failure) throw this.failure;
      const left = deadline - performance.now();
      if (left <= 0) throw new ProbeFailure(timeoutMessage);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** The next line without its line ending; lines already received are returned even after the server hung up. */
  async line(ms: number, timeoutMessage: string): Promise<string> {
    await this.until(() => this.buffer.includes(0x0a), ms, timeoutMessage);
    const end = this.buffer.indexOf(0x0a);
    const line = this.buffer.subarray(0, end).toString('utf8').replace(/\r$/, '');
    this.buffer = this.buffer.subarray(end + 1);
    return line;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.received += chunk.length;
    if (this.received > this.maxBytes) {
      this.fail(new ProbeFailure(`the server sent more than ${this.maxBytes} bytes`));
      this.stream?.destroy();
      return;
    }
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.notify();
  };

  private readonly onError = (error: Error): void => this.fail(new ProbeFailure(describeSocketError(error)));
  private readonly onClose = (): void => this.fail(new ProbeFailure('the server closed the connection'));
}

function describeSocketError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to the server (${code})`;
    default:
      return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
}

function ignore(): void {
  // a listener that keeps late socket errors from becoming uncaught exceptions
}

/** Node must never resolve a name for a probe; connecting to an IP literal does not call this. */
const refuseLookup: LookupFunction = (hostname, _options, callback) => {
  callback(Object.assign(new Error(`refusing to resolve ${hostname}: probes connect to vetted addresses only`), { code: 'EREFUSED' }), '', 4);
};

/** An SMTP reply: its code, the text of each line, and the lines as received. */
type Reply = { code: number; lines: string[]; raw: string[] };

class Session {
  private readonly wire: Wire;
  private readonly deadline: number;
  private readonly readLimit: number;
  private socket: Socket | undefined;
  private secure: TLSSocket | undefined;
  private readonly onAbort = (): void => {
    this.wire.fail(new ProbeFailure('aborted'));
    this.destroy();
  };

  constructor(
    private readonly target: ProbeTarget,
    private readonly options: ProbeOptions,
    private readonly result: ProbeResult,
  ) {
    this.wire = new Wire(options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.deadline = performance.now() + options.timeoutMs;
    this.readLimit = options.readTimeoutMs ?? options.timeoutMs;
  }

  async run(): Promise<void> {
    const { target, options } = this;
    if (isIP(target.address) === 0) throw new ProbeFailure(`"${target.address}" is not an IP address (probes never resolve names)`);
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) throw new ProbeFailure(`${target.port} is not a port number`);
    const refusal = options.guard?.refusal(target.address);
    if (refusal) throw new ProbeFailure(`not connecting: ${refusal}`);
    if (options.signal?.aborted) throw new ProbeFailure('aborted');
    options.signal?.addEventListener('abort', this.onAbort, { once: true });

    await this.connect();
    if (target.security === 'tls') await this.startTls();
    const dialogue = { imap: () => this.imap(), pop3: () => this.pop3(), smtp: () => this.smtp() }[target.protocol];
    await dialogue();
    const derived = deriveAuth(target.protocol, this.result.capabilities);
    this.result.auth = derived.auth;
    this.result.loginDisabled = derived.loginDisabled;
  }

  destroy(): void {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.wire.detach();
    this.secure?.destroy();
    this.socket?.destroy();
  }

  /** Time left for one wait: the per-read limit, but never past the overall deadline. */
  private budget(): number {
    return Math.max(0, Math.min(this.readLimit, this.deadline - performance.now()));
  }

  private limitText(): string {
    return `${Math.min(this.readLimit, this.options.timeoutMs)} ms`;
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

  /** Upgrades the current connection to TLS and records version and certificate facts. */
  private async startTls(): Promise<void> {
    const socket = this.socket as Socket;
    if (this.wire.unreadBytes > 0) {
      throw new ProbeFailure('the server sent data after agreeing to STARTTLS and before the TLS handshake (possible STARTTLS command injection)');
    }
    this.wire.detach(); // from here on, errors surface through the TLS socket
    const host = this.target.host;
    const secure = tlsConnect({
      socket,
      servername: isIP(host) === 0 ? host : undefined,
      // Accept anything so every problem can be reported; the verdict is ours (see certificateVerdict).
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      secureContext: this.options.ca?.length ? contextTrusting(this.options.ca) : undefined,
      // Old servers must still be measurable to be reported (RFC 8997); nothing secret is ever sent.
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    this.secure = secure;
    secure.on('error', ignore);
    let done = false;
    secure.once('secureConnect', () => {
      done = true;
      this.wire.notify();
    });
    const onHandshakeError = (error: Error): void => this.wire.fail(new ProbeFailure(`TLS handshake failed: ${describeSocketError(error)}`));
    secure.on('error', onHandshakeError);
    await this.wire.until(() => done, this.budget(), `no TLS handshake within ${this.limitText()}`);
    secure.off('error', onHandshakeError);
    this.wire.attach(secure);
    const version = secure.getProtocol();
    if (version) this.result.tlsVersion = version;
    this.result.certificate = certificateFacts(secure, host, this.options.ca ?? []);
    const outdated = deprecatedTls(version);
    if (outdated) this.result.certificate.problems.push(outdated);
  }

  private line(what: string): Promise<string> {
    return this.wire.line(this.budget(), `no ${what} within ${this.limitText()}`);
  }

  // --- IMAP (RFC 9051 / 3501) ---

  private async imap(): Promise<void> {
    const greeting = await this.line('greeting');
    this.result.greeting = quote(greeting);
    if (/^\* BYE\b/i.test(greeting)) throw new ProbeFailure(`the server refused the session: ${quote(greeting)}`);
    if (!/^\* (OK|PREAUTH)\b/i.test(greeting)) throw new ProbeFailure(`not an IMAP greeting: ${quote(greeting)}`);
    this.result.capabilities = await this.imapCapability('a1');
    let next = 2;
    if (this.target.security === 'starttls') {
      const advertised = this.result.capabilities.some((cap) => cap.toUpperCase() === 'STARTTLS');
      const answer = await this.imapCommand('a2', 'STARTTLS');
      if (!/^a2 OK\b/i.test(answer.status)) throw new ProbeFailure(`STARTTLS refused: ${quote(answer.status)}${advertised ? '' : ' (it was not advertised)'}`);
      await this.startTls();
      // Forget what was said in plaintext: only capabilities read under TLS count.
      this.result.capabilities = [];
      this.result.capabilities = await this.imapCapability('a3');
      next = 4;
    }
    this.wire.write(`a${next} LOGOUT`);
  }

  private async imapCommand(tag: string, command: string): Promise<{ status: string; untagged: string[] }> {
    this.wire.write(`${tag} ${command}`);
    const untagged: string[] = [];
    for (;;) {
      const line = await this.line(`answer to ${command}`);
      if (line.toLowerCase().startsWith(`${tag.toLowerCase()} `)) return { status: line, untagged };
      if (/^\* BYE\b/i.test(line)) throw new ProbeFailure(`the server ended the session: ${quote(line)}`);
      untagged.push(line);
    }
  }

  private async imapCapability(tag: string): Promise<string[]> {
    const answer = await this.imapCommand(tag, 'CAPABILITY');
    if (!new RegExp(`^${tag} OK\\b`, 'i').test(answer.status)) throw new ProbeFailure(`CAPABILITY failed: ${quote(answer.status)}`);
    return answer.untagged
      .filter((line) => /^\* CAPABILITY /i.test(line))
      .flatMap((line) => line.slice('* CAPABILITY '.length).trim().split(/\s+/))
      .filter((cap) => cap !== '');
  }

  // --- POP3 (RFC 1939, 2449, 2595) ---

  private async pop3(): Promise<void> {
    const greeting = await this.line('greeting');
    this.result.greeting = quote(greeting);
    if (/^-ERR\b/i.test(greeting)) throw new ProbeFailure(`the server refused the session: ${quote(greeting)}`);
    if (!/^\+OK\b/i.test(greeting)) throw new ProbeFailure(`not a POP3 greeting: ${quote(greeting)}`);
    this.result.capabilities = await this.pop3Capa();
    if (this.target.security === 'starttls') {
      const advertised = this.result.capabilities.some((cap) => cap.toUpperCase() === 'STLS');
      this.wire.write('STLS');
      const answer = await this.line('answer to STLS');
      if (!/^\+OK\b/i.test(answer)) throw new ProbeFailure(`STLS refused: ${quote(answer)}${advertised ? '' : ' (it was not advertised)'}`);
      await this.startTls();
      this.result.capabilities = [];
      this.result.capabilities = await this.pop3Capa();
    }
    this.wire.write('QUIT');
  }

  /** CAPA is optional (RFC 2449): a server without it simply has no capability list. */
  private async pop3Capa(): Promise<string[]> {
    this.wire.write('CAPA');
    const status = await this.line('answer to CAPA');
    if (!/^\+OK\b/i.test(status)) return [];
    const caps: string[] = [];
    for (;;) {
      const line = await this.line('end of the CAPA list');
      if (line === '.') return caps;
      caps.push(line.startsWith('..') ? line.slice(1) : line);
    }
  }

  // --- SMTP (RFC 5321, 3207) ---

  private async smtp(): Promise<void> {
    const greeting = await this.smtpReply('greeting');
    this.result.greeting = quote(greeting.raw.join('\n'));
    if (greeting.code === 554) throw new ProbeFailure(`the server offers no SMTP service here: ${quote(greeting.raw.join(' '))}`);
    if (greeting.code !== 220) throw new ProbeFailure(`the server refused the session: ${quote(greeting.raw.join(' '))}`);
    const ehloName = this.options.ehloName ?? DEFAULT_EHLO_NAME;
    this.result.capabilities = await this.smtpEhlo(ehloName);
    if (this.target.security === 'starttls') {
      const advertised = this.result.capabilities.some((cap) => cap.toUpperCase() === 'STARTTLS');
      this.wire.write('STARTTLS');
      const answer = await this.smtpReply('answer to STARTTLS');
      if (answer.code !== 220) throw new ProbeFailure(`STARTTLS refused: ${quote(answer.raw.join(' '))}${advertised ? '' : ' (it was not advertised)'}`);
      await this.startTls();
      this.result.capabilities = [];
      this.result.capabilities = await this.smtpEhlo(ehloName);
    }
    this.wire.write('QUIT');
  }

  /** EHLO keywords (the lines after the server's name); a server that rejects EHLO has none. */
  private async smtpEhlo(name: string): Promise<string[]> {
    this.wire.write(`EHLO ${name}`);
    const reply = await this.smtpReply('answer to EHLO');
    return reply.code === 250 ? reply.lines.slice(1).filter((line) => line !== '') : [];
  }

  /** One reply, multi-line ("250-...") up to its last line ("250 ..."). */
  private async smtpReply(what: string): Promise<Reply> {
    const lines: string[] = [];
    const raw: string[] = [];
    for (;;) {
      const line = await this.line(what);
      const match = /^([2-5][0-9]{2})([ -]|$)(.*)$/.exec(line);
      if (!match) throw new ProbeFailure(`not an SMTP reply: ${quote(line)}`);
      lines.push((match[3] ?? '').trim());
      raw.push(line);
      if (match[2] !== '-') return { code: Number(match[1]), lines, raw };
    }
  }
}

const OLD_TLS: ReadonlySet<string> = new Set(['SSLv3', 'TLSv1', 'TLSv1.1']);

/** Why a negotiated TLS version is not good enough for mail (RFC 8997), or undefined when it is. */
export function deprecatedTls(version: string | null | undefined): string | undefined {
  return version && OLD_TLS.has(version) ? `${version} is deprecated for mail; TLS 1.2 or newer is required (RFC 8997)` : undefined;
}

/** Server text made safe to show: printable, bounded. */
function quote(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
  return clean.length > QUOTE_LIMIT ? `${clean.slice(0, QUOTE_LIMIT)}...` : clean;
}

// --- Authentication methods from capabilities ---

const AUTH_ORDER: readonly AuthMethod[] = ['password-cleartext', 'password-encrypted', 'OAuth2', 'GSSAPI', 'NTLM'];
const MECHANISMS: Record<string, AuthMethod> = {
  PLAIN: 'password-cleartext',
  LOGIN: 'password-cleartext',
  'CRAM-MD5': 'password-encrypted',
  XOAUTH2: 'OAuth2',
  OAUTHBEARER: 'OAuth2',
  GSSAPI: 'GSSAPI',
  NTLM: 'NTLM',
};

/** SASL mechanism names each protocol advertises, upper case. */
function mechanisms(protocol: ProbeTarget['protocol'], caps: string[]): string[] {
  const words = (line: string) => line.trim().split(/\s+/).filter((word) => word !== '');
  switch (protocol) {
    case 'imap':
      return caps.filter((cap) => /^AUTH=/i.test(cap)).map((cap) => cap.slice(5).toUpperCase());
    case 'pop3':
      return caps.filter((cap) => /^SASL(\s|$)/i.test(cap)).flatMap((cap) => words(cap.slice(4)).map((word) => word.toUpperCase()));
    case 'smtp':
      // "AUTH PLAIN LOGIN" and the pre-standard "AUTH=PLAIN LOGIN" some servers still send.
      return caps.filter((cap) => /^AUTH[ =]/i.test(cap)).flatMap((cap) => words(cap.slice(5)).map((word) => word.toUpperCase()));
  }
}

/**
 * Authentication methods in clientConfig terms, in a fixed order (cleartext first: over TLS it is what every
 * client supports). `loginDisabled`: IMAP LOGINDISABLED in the capabilities as read last, or nothing offered at all.
 */
export function deriveAuth(protocol: ProbeTarget['protocol'], caps: string[]): { auth: AuthMethod[]; loginDisabled: boolean } {
  const found = new Set<AuthMethod>();
  for (const mechanism of mechanisms(protocol, caps)) {
    const method = MECHANISMS[mechanism];
    if (method) found.add(method);
  }
  const upper = caps.map((cap) => cap.toUpperCase());
  const imapLoginDisabled = protocol === 'imap' && upper.includes('LOGINDISABLED');
  // IMAP's LOGIN command and POP3's USER/PASS send the password as it is.
  if (protocol === 'imap' && !imapLoginDisabled) found.add('password-cleartext');
  if (protocol === 'pop3' && upper.includes('USER')) found.add('password-cleartext');
  const auth = AUTH_ORDER.filter((method) => found.has(method));
  return { auth, loginDisabled: imapLoginDisabled || auth.length === 0 };
}

// --- Certificates ---

const TIME_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const UNTRUSTED_WORDS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed certificate nobody trusts',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issued by an unknown certificate authority',
  UNABLE_TO_GET_ISSUER_CERT: 'issued by an unknown certificate authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'issued by an unknown certificate authority, or the server left out an intermediate certificate',
  CERT_SIGNATURE_FAILURE: 'the certificate signature is invalid',
  CERT_REVOKED: 'the certificate was revoked',
  INVALID_CA: 'an issuer in the chain is not a certificate authority',
};

let bundledAnchors: X509Certificate[] | undefined;
const contexts = new Map<string, SecureContext>();

/** A TLS context trusting Node's CAs plus `extra`; cached because building one with every root costs milliseconds. */
function contextTrusting(extra: string[]): SecureContext {
  const key = extra.join('\n');
  let context = contexts.get(key);
  if (!context) {
    if (contexts.size >= 16) contexts.clear();
    context = createSecureContext({ ca: [...rootCertificates, ...extra], minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    contexts.set(key, context);
  }
  return context;
}

function anchors(extra: string[]): X509Certificate[] {
  bundledAnchors ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return [...bundledAnchors, ...extra.map((pem) => new X509Certificate(pem))];
}

/** The certificates the server presented, leaf first. */
function presentedChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<DetailedPeerCertificate>();
  for (let cert: DetailedPeerCertificate | undefined = peer; cert?.raw && !seen.has(cert) && chain.length < 10; cert = cert.issuerCertificate) {
    seen.add(cert);
    chain.push(new X509Certificate(cert.raw));
  }
  return chain;
}

/**
 * OpenSSL reports only its last verification error, so an expired certificate from an unknown CA shows up as
 * merely "expired". When the error is about dates, walk the chain ourselves to learn whether it is trusted.
 */
function chainReachesAnchor(chain: X509Certificate[], trusted: X509Certificate[]): boolean {
  const issuedBy = (cert: X509Certificate, issuer: X509Certificate) => cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  let current = chain[0];
  for (let depth = 0; current && depth < 10; depth += 1) {
    const cert: X509Certificate = current;
    if (trusted.some((anchor) => anchor.fingerprint256 === cert.fingerprint256 || issuedBy(cert, anchor))) return true;
    current = chain.find((candidate) => candidate.fingerprint256 !== cert.fingerprint256 && issuedBy(cert, candidate));
  }
  return false;
}

function errorCode(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  const error = value as NodeJS.ErrnoException;
  return error.code ?? error.message;
}

/** Node writes distinguished names one attribute per line; show them the usual way. */
function distinguishedName(text: string): string {
  return text.split('\n').filter((part) => part !== '').join(', ');
}

function certificateFacts(secure: TLSSocket, host: string, extraCa: string[]): CertificateFacts {
  const peer = secure.getPeerCertificate(true);
  if (!peer?.raw) {
    return { trusted: false, nameMatches: false, expired: false, notYetValid: false, validFrom: '', validTo: '', subject: '', issuer: '', altNames: [], problems: ['certificate missing: the server sent none'] };
  }
  const chain = presentedChain(peer);
  const leaf = chain[0] as X509Certificate;
  const code = errorCode(secure.authorizationError);
  const timeError = code !== undefined && TIME_ERRORS.has(code);
  const from = new Date(leaf.validFrom);
  const to = new Date(leaf.validTo);
  const now = Date.now();
  const expired = now > to.getTime();
  const notYetValid = now < from.getTime();
  // A date error may be about any certificate of the chain; the walk may excuse it only when the leaf's own dates
  // explain it (they are reported below). An expired intermediate is a chain no client accepts.
  const caOutOfDate = timeError && !expired && !notYetValid;
  const trusted = secure.authorized || (timeError && !caOutOfDate && chainReachesAnchor(chain, anchors(extraCa)));
  const identityError = checkServerIdentity(host, peer);
  const altNames = (leaf.subjectAltName ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  const subject = distinguishedName(leaf.subject);
  const issuer = distinguishedName(leaf.issuer);

  const problems: string[] = [];
  if (!trusted) {
    const selfSigned = leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey);
    const words = caOutOfDate
      ? 'a certificate authority in the chain has expired or is not yet valid'
      : (code && !TIME_ERRORS.has(code) && UNTRUSTED_WORDS[code]) || (selfSigned ? UNTRUSTED_WORDS.DEPTH_ZERO_SELF_SIGNED_CERT : UNTRUSTED_WORDS.UNABLE_TO_GET_ISSUER_CERT);
    problems.push(`certificate not trusted: ${words} (issuer: ${issuer})`);
  }
  if (identityError) problems.push(`certificate does not name ${host}: it is for ${altNames.join(', ') || subject}`);
  if (expired) problems.push(`certificate expired on ${to.toISOString()}`);
  if (notYetValid) problems.push(`certificate not valid before ${from.toISOString()}`);
  return {
    trusted,
    nameMatches: identityError === undefined,
    expired,
    notYetValid,
    validFrom: from.toISOString(),
    validTo: to.toISOString(),
    subject,
    issuer,
    altNames,
    problems,
  };
}
