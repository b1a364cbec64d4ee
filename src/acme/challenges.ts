// The challenges of orders in flight: http-01 answers for the HTTP port, tls-alpn-01 certificates for the HTTPS port.
// Kept in memory and, with a directory, in the state directory too: with several workers (or instances sharing the
// state directory) the CA's validation request may reach a process other than the one that placed the order. With
// Redis (several instances), http-01 answers are stored there too and tls-alpn-01 certificates announced on a channel.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { writeFileAtomic } from '../providers/atomic.js';
import type { CertificateSource, ChallengeResponder, ClientHello } from '../tls/types.js';
import { certificateName } from './names.js';
import type { SharedState } from '../redis/shared-state.js';

export const ACME_TLS_ALPN = 'acme-tls/1';
/** RFC 8555 8.3: tokens are base64url; anything else is never looked up on disk. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/** The channel of tls-alpn-01 certificates (added: name, key, cert; removed: name only). */
const ALPN_CHANNEL = 'acme:tls-alpn-01';
/** An http-01 answer in Redis outlives no order (an order's lock lasts 10 minutes). */
const CHALLENGE_TTL_MS = 3600_000;

interface HttpRecord {
  name: string;
  keyAuthorization: string;
}

interface AlpnRecord {
  name: string;
  key: string;
  cert: string;
}

export class PendingChallenges implements ChallengeResponder, CertificateSource {
  private readonly http = new Map<string, HttpRecord>();
  private readonly alpn = new Map<string, SecureContext>();

  /**
   * `dir`: where other processes find the challenges of this one's orders (state/challenges); memory only without.
   * `shared`: Redis, where other instances find them.
   */
  constructor(
    private readonly dir?: string,
    private readonly shared?: SharedState,
  ) {
    shared?.subscribe(ALPN_CHANNEL, (message) => this.onAlpnNotice(message));
  }

  async addHttp01(name: string, token: string, keyAuthorization: string): Promise<void> {
    this.http.set(token, { name, keyAuthorization });
    if (!TOKEN.test(token)) return;
    if (this.dir) await this.write('http-01', token, { name, keyAuthorization });
    await this.shared?.set(`acme:http01:${token}`, JSON.stringify({ name, keyAuthorization }), CHALLENGE_TTL_MS);
  }

  async removeHttp01(token: string): Promise<void> {
    this.http.delete(token);
    if (!TOKEN.test(token)) return;
    if (this.dir) await rm(join(this.dir, 'http-01', token), { force: true });
    await this.shared?.delete(`acme:http01:${token}`);
  }

  async addTlsAlpn01(name: string, key: string, cert: string): Promise<void> {
    this.alpn.set(name, createSecureContext({ key, cert }));
    if (this.dir) await this.write('tls-alpn-01', name, { name, key, cert });
    await this.shared?.publish(ALPN_CHANNEL, JSON.stringify({ name, key, cert }));
  }

  async removeTlsAlpn01(name: string): Promise<void> {
    this.alpn.delete(name);
    if (this.dir && certificateName(name) === name) await rm(join(this.dir, 'tls-alpn-01', name), { force: true });
    await this.shared?.publish(ALPN_CHANNEL, JSON.stringify({ name }));
  }

  /** The key authorization for a token of an order in flight; the Host must be the name being validated. */
  async http01(token: string, host: string): Promise<string | undefined> {
    const pending = this.http.get(token) ?? (await this.readShared(token)) ?? (await this.readHttp(token));
    if (!pending || (host !== '' && host !== pending.name)) return undefined;
    return pending.keyAuthorization;
  }

  /** RFC 8737: only the CA's validation connection (ALPN acme-tls/1) gets the challenge certificate. */
  contextFor(servername: string, hello: ClientHello): SecureContext | undefined {
    if (!hello.alpnProtocols.includes(ACME_TLS_ALPN)) return undefined;
    return this.alpn.get(servername) ?? this.readAlpn(servername);
  }

  get size(): number {
    return this.http.size + this.alpn.size;
  }

  private async write(kind: string, file: string, record: HttpRecord | AlpnRecord): Promise<void> {
    const dir = join(this.dir!, kind);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(dir, file, JSON.stringify(record), 0o600);
  }

  private async readShared(token: string): Promise<HttpRecord | undefined> {
    if (!this.shared || !TOKEN.test(token)) return undefined;
    const text = await this.shared.get(`acme:http01:${token}`);
    return text === undefined ? undefined : parseHttpRecord(text);
  }

  /** Another instance's tls-alpn-01 certificate (SNI asks synchronously, so it is kept in memory here). */
  private onAlpnNotice(message: string): void {
    try {
      const record = JSON.parse(message) as Partial<AlpnRecord> | null;
      if (!record || typeof record.name !== 'string' || certificateName(record.name) !== record.name) return;
      if (typeof record.key === 'string' && typeof record.cert === 'string') this.alpn.set(record.name, createSecureContext({ key: record.key, cert: record.cert }));
      else this.alpn.delete(record.name);
    } catch {
      // Not ours to serve: a notice that does not parse is ignored.
    }
  }

  private async readHttp(token: string): Promise<HttpRecord | undefined> {
    if (!this.dir || !TOKEN.test(token)) return undefined;
    try {
      return parseHttpRecord(await readFile(join(this.dir, 'http-01', token), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Synchronous (SNICallback asks synchronously); only reached by handshakes offering acme-tls/1, which the CA makes. */
  private readAlpn(name: string): SecureContext | undefined {
    if (!this.dir || certificateName(name) !== name) return undefined;
    try {
      const record = JSON.parse(readFileSync(join(this.dir, 'tls-alpn-01', name), 'utf8')) as Partial<AlpnRecord>;
      if (typeof record.key !== 'string' || typeof record.cert !== 'string' || record.name !== name) return undefined;
      return createSecureContext({ key: record.key, cert: record.cert });
    } catch {
      return undefined;
    }
  }
}

function parseHttpRecord(text: string): HttpRecord | undefined {
  try {
    const record = JSON.parse(text) as Partial<HttpRecord> | null;
    return typeof record?.name === 'string' && typeof record.keyAuthorization === 'string' ? { name: record.name, keyAuthorization: record.keyAuthorization } : undefined;
  } catch {
    return undefined;
  }
}
