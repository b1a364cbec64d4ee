// The default certificate (MAILCONFIG_TLS_CERT / MAILCONFIG_TLS_KEY): served to handshakes without SNI and for names
// no other source has a certificate for. Reloaded when either file changes (a watch on their directories, since
// editors and certbot-like tools replace files by renaming) and on SIGHUP; a new version that does not load keeps the
// old one serving and is logged once with the reason.
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { CertificateError, loadCertificate, type LoadedCertificate } from './context.js';

export interface TlsFiles {
  cert: string;
  key: string;
}

export interface TlsLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** Both files are usually replaced together: wait this long after the last change before reading them. */
const SETTLE_MS = 150;

export interface DefaultCertificateEvents {
  /** A new certificate is being served. */
  reloaded: [LoadedCertificate];
  /** The files changed but do not load; the previous certificate is still served. */
  rejected: [CertificateError];
}

export class DefaultCertificate extends EventEmitter<DefaultCertificateEvents> {
  private loaded: LoadedCertificate;
  private watchers: FSWatcher[] = [];
  private timer?: NodeJS.Timeout;
  private lastRejected?: string | undefined;
  private reloading: Promise<void> = Promise.resolve();

  private constructor(readonly files: TlsFiles, loaded: LoadedCertificate, private log: TlsLog) {
    super();
    this.loaded = loaded;
  }

  /** Reads and checks both files now; throws CertificateError (a bad start is a configuration error). */
  static open(files: TlsFiles, log: TlsLog): DefaultCertificate {
    const loaded = loadCertificate({ cert: readText(files.cert, 'certificate'), key: readText(files.key, 'key') });
    return new DefaultCertificate(files, loaded, log);
  }

  current(): LoadedCertificate {
    return this.loaded;
  }

  /** Starts noticing changes of the two files; idempotent. */
  watch(): void {
    if (this.watchers.length > 0) return;
    const dirs = new Map<string, Set<string>>();
    for (const file of [this.files.cert, this.files.key]) {
      const names = dirs.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      dirs.set(dirname(file), names);
    }
    for (const [dir, names] of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || names.has(String(name))) this.soon();
        });
        watcher.on('error', (error) => this.log.warn({ err: error, dir }, 'TLS certificate directory watcher failed; reload with SIGHUP'));
        this.watchers.push(watcher);
      } catch (error) {
        this.log.warn({ err: error, dir }, 'cannot watch the TLS certificate directory; reload with SIGHUP');
      }
    }
  }

  /** Reads both files again; resolves when done. A failure keeps the current certificate (and is logged). */
  reload(reason = 'SIGHUP'): Promise<void> {
    this.reloading = this.reloading.then(() => this.load(reason));
    return this.reloading;
  }

  close(): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    if (this.timer) clearTimeout(this.timer);
  }

  private soon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload('file change'), SETTLE_MS);
    this.timer.unref();
  }

  private async load(reason: string): Promise<void> {
    let cert: string;
    let key: string;
    try {
      [cert, key] = await Promise.all([readFile(this.files.cert, 'utf8'), readFile(this.files.key, 'utf8')]);
    } catch (error) {
      return this.reject(new CertificateError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`), reason);
    }
    if (cert === this.loaded.pem.cert && key === this.loaded.pem.key) return;
    let loaded: LoadedCertificate;
    try {
      loaded = loadCertificate({ cert, key });
    } catch (error) {
      if (error instanceof CertificateError) return this.reject(error, reason);
      throw error;
    }
    this.loaded = loaded;
    this.lastRejected = undefined;
    this.log.info({ cert: this.files.cert, names: loaded.names, notAfter: loaded.notAfter.toISOString(), reason }, 'TLS default certificate reloaded');
    this.emit('reloaded', loaded);
  }

  private reject(error: CertificateError, reason: string): void {
    // Logged once per distinct problem: a half-written pair that is fixed a moment later is not news twice.
    if (this.lastRejected !== error.message) {
      this.lastRejected = error.message;
      this.log.warn({ cert: this.files.cert, key: this.files.key, reason, problem: error.message }, `TLS default certificate not reloaded, keeping the previous one: ${error.message}`);
    }
    this.emit('rejected', error);
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CertificateError(`the ${what} file ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}
