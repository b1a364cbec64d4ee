// Where the account key and the issued certificates live. The interface is what the manager needs; the file
// implementation keeps everything under MAILCONFIG_STATE_DIR (mode 0700, files 0600, written atomically), so every
// process on the host serves the same certificates. A shared store (Redis) can implement the same interface.
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../providers/atomic.js';
import { certificateName } from './names.js';
import { MailconfigError } from '../settings/errors.js';

export interface StoredCertificate {
  name: string;
  /** PEM private key (ECDSA P-256). */
  key: string;
  /** PEM leaf certificate followed by its chain, as the CA sent it. */
  cert: string;
  /** The directory it came from: a certificate from another CA (staging) is due for replacement at once. */
  directoryUrl: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
}

export interface CertificateStorage {
  /** The account key (PEM), created by whoever comes first; every later caller gets the same key. */
  accountKey(create: () => Promise<string>): Promise<string>;
  load(name: string): Promise<StoredCertificate | undefined>;
  save(certificate: Omit<StoredCertificate, 'issuer' | 'notBefore' | 'notAfter'>): Promise<StoredCertificate>;
  /** Names with a stored certificate. */
  names(): Promise<string[]>;
  /** Start times of orders in the last hour (for the rate limit across restarts and processes). */
  recentOrders(now: number): Promise<number[]>;
  recordOrder(at: number): Promise<void>;
}

/** A stored certificate that cannot be read: a value, not a crash; `mailconfig certs` shows it. */
export class StoredCertificateError extends MailconfigError {
  constructor(message: string, options?: ErrorOptions) {
    super('MAILCONFIG_ACME_STORED_CERTIFICATE', message, options);
  }
}

/** Reads the facts of a PEM chain's first certificate. */
export function describeCertificate(name: string, key: string, cert: string, directoryUrl: string): StoredCertificate {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (error) {
    throw new StoredCertificateError(`certificate for ${name} cannot be parsed: ${(error as Error).message}`);
  }
  const issuer = /(?:^|\n)CN=([^\n]*)/.exec(leaf.issuer)?.[1] ?? leaf.issuer.replace(/\n/g, ', ');
  return { name, key, cert, directoryUrl, issuer, notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo) };
}

const HOUR = 3600_000;

/** The order start times of the last hour in a stored JSON list (anything unreadable counts as none). */
export function recentOrderTimes(text: string | undefined, now: number): number[] {
  if (!text) return [];
  try {
    const times = JSON.parse(text) as unknown;
    return Array.isArray(times) ? times.filter((t): t is number => typeof t === 'number' && t > now - HOUR && t <= now + HOUR) : [];
  } catch {
    return [];
  }
}

export class FileCertificateStorage implements CertificateStorage {
  readonly certificatesDir: string;
  readonly locksDir: string;
  private ready?: Promise<void>;

  constructor(readonly dir: string) {
    this.certificatesDir = join(dir, 'certificates');
    this.locksDir = join(dir, 'locks');
  }

  /** Creates the state directory and its subdirectories, 0700 (existing ones are tightened to 0700 too). */
  prepare(): Promise<void> {
    this.ready ??= (async () => {
      for (const dir of [this.dir, this.certificatesDir, this.locksDir]) {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await chmod(dir, 0o700);
      }
    })();
    return this.ready;
  }

  async accountKey(create: () => Promise<string>): Promise<string> {
    await this.prepare();
    const path = join(this.dir, 'account-key.pem');
    const existing = await readOptional(path);
    if (existing) return existing;
    const key = await create();
    // Exclusive create: when two processes race, the second one reads the first one's key.
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(key, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      return key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return (await readOptional(path)) ?? key;
    }
  }

  async load(name: string): Promise<StoredCertificate | undefined> {
    const file = this.fileOf(name);
    if (!file) return undefined;
    const text = await readOptional(join(this.certificatesDir, file));
    if (text === undefined) return undefined;
    let data: { name?: unknown; key?: unknown; cert?: unknown; directoryUrl?: unknown };
    try {
      data = JSON.parse(text) as typeof data;
    } catch {
      throw new StoredCertificateError(`${join(this.certificatesDir, file)} is not JSON`);
    }
    if (typeof data.key !== 'string' || typeof data.cert !== 'string' || data.name !== name) {
      throw new StoredCertificateError(`${join(this.certificatesDir, file)} lacks the key, the certificate or the right name`);
    }
    return describeCertificate(name, data.key, data.cert, typeof data.directoryUrl === 'string' ? data.directoryUrl : '');
  }

  async save(certificate: Omit<StoredCertificate, 'issuer' | 'notBefore' | 'notAfter'>): Promise<StoredCertificate> {
    const described = describeCertificate(certificate.name, certificate.key, certificate.cert, certificate.directoryUrl);
    const file = this.fileOf(certificate.name);
    if (!file) throw new StoredCertificateError(`${certificate.name} is not a certificate name`);
    await this.prepare();
    const { name, key, cert, directoryUrl } = described;
    const record = { name, key, cert, directoryUrl, issuer: described.issuer, notBefore: described.notBefore, notAfter: described.notAfter };
    await writeFileAtomic(this.certificatesDir, file, `${JSON.stringify(record, null, 2)}\n`, 0o600);
    return described;
  }

  /** Read-only (`mailconfig certs` uses it too): a missing directory holds no names. */
  async names(): Promise<string[]> {
    let files: string[];
    try {
      files = await readdir(this.certificatesDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const names: string[] = [];
    for (const file of files) {
      const name = file.endsWith('.json') ? certificateName(file.slice(0, -5)) : undefined;
      if (name && `${name}.json` === file) names.push(name);
    }
    return names.sort();
  }

  async recentOrders(now: number): Promise<number[]> {
    return recentOrderTimes(await readOptional(join(this.dir, 'orders.json')), now);
  }

  async recordOrder(at: number): Promise<void> {
    await this.prepare();
    const times = [...(await this.recentOrders(at)), at].sort((a, b) => a - b);
    await writeFileAtomic(this.dir, 'orders.json', JSON.stringify(times), 0o600);
  }

  /** `<name>.json`; names are checked host names, so they are safe file names. */
  private fileOf(name: string): string | undefined {
    return certificateName(name) === name ? `${name}.json` : undefined;
  }
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
