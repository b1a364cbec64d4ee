import { watch, type FSWatcher } from 'node:fs';
import { readdir } from 'node:fs/promises';

/** The part of a pino/fastify logger the store and its watcher use. */
export interface StoreLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export const SILENT: StoreLog = { info() {}, warn() {} };

/** What the watcher drives: the provider store, seen from outside. */
export interface WatchTarget {
  readonly dir: string;
  /** Applies one file's version on disk (added, changed or deleted); may throw when the file cannot be read. */
  reload(file: string): Promise<void>;
  /** The files served or refused now, so that after a lost event a rescan also notices deletions. */
  knownFiles(): Iterable<string>;
}

const DEBOUNCE_MS = 200;
/** A steady stream of events (a long copy) must not postpone reloading forever. */
const MAX_DELAY_MS = 600;

/**
 * Notices hand edits of the provider directory: fs.watch events for `*.xml` files, debounced, handed to the target
 * one file at a time and in order. An event without a file name (some platforms, overflow) rescans the directory.
 */
export class DirectoryWatcher {
  private watcher?: FSWatcher | undefined;
  private timer?: NodeJS.Timeout | undefined;
  private firstEventAt?: number | undefined;
  private readonly changed = new Set<string>();
  private rescan = false;
  private closed = false;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly target: WatchTarget,
    private readonly log: StoreLog = SILENT,
  ) {}

  start(): void {
    if (this.watcher || this.closed) return;
    this.watcher = watch(this.target.dir, { persistent: false }, (_event, name) => this.noticed(name));
    this.watcher.on('error', (error) => this.log.warn({ err: error, dir: this.target.dir }, 'provider directory watcher failed; hand edits are no longer noticed'));
  }

  /** Reads every file of the directory again (SIGHUP, a notice from another instance); resolves when applied. */
  async rescanAll(): Promise<void> {
    if (this.closed) return;
    this.rescan = true;
    this.flushing = this.flushing.then(() => this.flush());
    await this.flushing;
  }

  /** Resolves once the changes noticed so far have been applied. */
  async settled(): Promise<void> {
    await this.flushing;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer) clearTimeout(this.timer);
    await this.flushing;
  }

  private noticed(name: string | Buffer | null): void {
    if (this.closed) return;
    if (name === null) this.rescan = true;
    else {
      const file = String(name);
      // Temp files of atomic writes end in .tmp, editors' swap files in .swp or ~: only *.xml is the database.
      if (!file.toLowerCase().endsWith('.xml')) return;
      this.changed.add(file);
    }
    const now = Date.now();
    this.firstEventAt ??= now;
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(DEBOUNCE_MS, this.firstEventAt + MAX_DELAY_MS - now));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.firstEventAt = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, delay);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    const files = new Set(this.changed);
    this.changed.clear();
    if (this.rescan) {
      this.rescan = false;
      const names = await readdir(this.target.dir).catch(() => [] as string[]);
      for (const name of [...names, ...this.target.knownFiles()]) if (name.toLowerCase().endsWith('.xml')) files.add(name);
    }
    for (const file of files) {
      if (this.closed) return;
      try {
        await this.target.reload(file);
      } catch (error) {
        this.log.warn({ err: error, file }, `provider file ${file} could not be read; keeping what is served`);
      }
    }
  }
}
