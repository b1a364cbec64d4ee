// "Only one process orders a name at a time." The interface is what the manager needs; the file lock works for every
// process sharing the state directory; a shared lock (Redis: SET NX PX, compare-and-delete) can implement it too.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface HeldLock {
  /** Gives the lock up; a no-op when it expired and someone else took it meanwhile. */
  release(): Promise<void>;
}

export interface OrderLock {
  /** The lock for `name` for at most `ttlMs`, or undefined when another holder has it and it has not expired. */
  acquire(name: string, ttlMs: number): Promise<HeldLock | undefined>;
}

interface LockRecord {
  owner: string;
  expires: number;
}

/**
 * A lock file per name (`locks/<name>.lock`), created exclusively and whole (linked into place). It carries its expiry: a holder that died leaves a
 * file the next process takes over once it has expired. Taking over renames the stale file away first, so of two
 * processes that both saw it expire only one can win (the other's rename finds nothing, or a fresh lock).
 */
export class FileOrderLock implements OrderLock {
  constructor(
    private readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(name: string, ttlMs: number): Promise<HeldLock | undefined> {
    const path = join(this.dir, `${name}.lock`);
    const owner = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.create(path, { owner, expires: this.now() + ttlMs })) return this.held(path, owner);
      const current = await readRecord(path);
      if (current && current.expires > this.now()) return undefined;
      // Expired (or damaged): move it aside, then look at what we moved.
      const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
      try {
        await rename(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = await readRecord(aside);
      if (moved && moved.expires > this.now() && moved.owner !== current?.owner) {
        // Someone else's fresh lock replaced the stale one just before our rename: put it back unless a third took the
        // place, and give up this time.
        await link(aside, path).catch(() => undefined);
        await rm(aside, { force: true });
        return undefined;
      }
      await rm(aside, { force: true });
    }
    return undefined;
  }

  /** Writes the record to a temporary file and links it into place: the lock file never exists half-written. */
  private async create(path: string, record: LockRecord): Promise<boolean> {
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(record), 'utf8');
    } finally {
      await handle.close();
    }
    try {
      await link(temp, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(temp, { force: true });
    }
  }

  private held(path: string, owner: string): HeldLock {
    return {
      release: async () => {
        // Delete only our own lock: after an expiry another process may hold a new one under the same name.
        const current = await readRecord(path);
        if (current?.owner === owner) await rm(path, { force: true });
      },
    };
  }
}

async function readRecord(path: string): Promise<LockRecord | undefined> {
  try {
    const data = JSON.parse(await readFile(path, 'utf8')) as Partial<LockRecord>;
    return typeof data.owner === 'string' && typeof data.expires === 'number' ? { owner: data.owner, expires: data.expires } : undefined;
  } catch {
    return undefined;
  }
}
