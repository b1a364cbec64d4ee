// State shared by every instance of the service (MAILCONFIG_REDIS_URL): discovery answers, rate-limit counters, ACME
// certificates, locks and challenge answers, and notices between instances. Redis is a help, never a dependency of an
// answer: every call fails fast (no offline queue, a 100 ms command timeout) and its caller falls back to its own
// state. An outage is logged once when it starts and once when it ends, never per request; ioredis reconnects by
// itself and sharing resumes.
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

/** What the shared state logs (pino's shape); only outages and their end. */
export interface SharedStateLog {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export interface SharedStateOptions {
  /** How long one command may take before the caller falls back (default 100 ms). */
  commandTimeoutMs?: number;
  /** Prefix of every key and channel (default `mc:`). */
  prefix?: string;
}

/** The key-value, lock and notice operations the service uses; each failure is a value (undefined/false). */
export class SharedState {
  /** Answers commands: the connection `@fastify/rate-limit` uses too. */
  readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly prefix: string;
  private down = false;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly log: SharedStateLog,
    options: SharedStateOptions = {},
  ) {
    this.prefix = options.prefix ?? 'mc:';
    this.client = new Redis(url, connectionOptions(options.commandTimeoutMs ?? 100));
    this.watchHealth(this.client);
  }

  /** Whether Redis answers now (the connection is up): for /readyz and for not waiting on a lock nobody can release. */
  get available(): boolean {
    return this.client.status === 'ready';
  }

  /** The key with the prefix, for callers that hand a key space to a library (`@fastify/rate-limit`'s nameSpace). */
  key(name: string): string {
    return `${this.prefix}${name}`;
  }

  async get(name: string): Promise<string | undefined> {
    if (!this.available) return undefined;
    try {
      return (await this.client.get(this.key(name))) ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** Remaining lifetime of a key in ms (undefined: no key, no expiry, or Redis not answering). */
  async ttl(name: string): Promise<number | undefined> {
    if (!this.available) return undefined;
    try {
      const ms = await this.client.pttl(this.key(name));
      return ms > 0 ? ms : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes a value that expires after `ttlMs`; false when Redis did not take it. */
  async set(name: string, value: string, ttlMs: number): Promise<boolean> {
    if (!this.available) return false;
    try {
      await this.client.set(this.key(name), value, 'PX', Math.max(1, Math.round(ttlMs)));
      return true;
    } catch {
      return false;
    }
  }

  /** Writes a value without expiry (certificates, the ACME account key); false when Redis did not take it. */
  async put(name: string, value: string): Promise<boolean> {
    if (!this.available) return false;
    try {
      await this.client.set(this.key(name), value);
      return true;
    } catch {
      return false;
    }
  }

  /** Writes a value only when the key does not exist yet: true when this call wrote it. */
  async putIfAbsent(name: string, value: string, ttlMs?: number): Promise<boolean | undefined> {
    if (!this.available) return undefined;
    try {
      const answer = ttlMs === undefined ? await this.client.set(this.key(name), value, 'NX') : await this.client.set(this.key(name), value, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
      return answer === 'OK';
    } catch {
      return undefined;
    }
  }

  /** Adds one to a counter that expires `ttlMs` after its last count (callers put the window in the name); undefined when Redis does not answer. */
  async increment(name: string, ttlMs: number): Promise<number | undefined> {
    if (!this.available) return undefined;
    try {
      const key = this.key(name);
      const answers = await this.client.multi().incr(key).pexpire(key, Math.max(1, Math.round(ttlMs))).exec();
      const count = answers?.[0]?.[1];
      return typeof count === 'number' ? count : undefined;
    } catch {
      return undefined;
    }
  }

  async delete(name: string): Promise<void> {
    if (!this.available) return;
    await this.client.del(this.key(name)).catch(() => undefined);
  }

  /** Names (without the prefix) of keys starting with `start`; SCAN, so a big key space never blocks Redis. */
  async keys(start: string): Promise<string[] | undefined> {
    if (!this.available) return undefined;
    try {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await this.client.scan(cursor, 'MATCH', `${this.key(start)}*`, 'COUNT', 500);
        cursor = next;
        for (const key of batch) found.push(key.slice(this.prefix.length));
      } while (cursor !== '0');
      return found;
    } catch {
      return undefined;
    }
  }

  /**
   * A lock with an expiry (SET NX PX). Resolves to a token when this caller holds it, `false` when another holder
   * does, undefined when Redis does not answer (the caller decides alone).
   */
  async lock(name: string, ttlMs: number): Promise<string | false | undefined> {
    const token = randomBytes(9).toString('base64url');
    const taken = await this.putIfAbsent(name, token, ttlMs);
    if (taken === undefined) return undefined;
    return taken ? token : false;
  }

  /** Releases a lock only while `token` still holds it (an expired lock may be someone else's by now). */
  async unlock(name: string, token: string): Promise<void> {
    if (!this.available) return;
    await this.client.eval(UNLOCK, 1, this.key(name), token).catch(() => undefined);
  }

  /** Sends a notice to every instance subscribed to `channel` (this one included). */
  async publish(channel: string, message: string): Promise<boolean> {
    if (!this.available) return false;
    try {
      await this.client.publish(this.key(channel), message);
      return true;
    } catch {
      return false;
    }
  }

  /** Calls `handler` with each notice on `channel`; returns the unsubscribe function. Resubscribes after an outage. */
  subscribe(channel: string, handler: (message: string) => void): () => void {
    const key = this.key(channel);
    let set = this.handlers.get(key);
    if (!set) {
      set = new Set();
      this.handlers.set(key, set);
      void this.subscriberConnection().subscribe(key).catch(() => undefined);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const connections = this.subscriber ? [this.client, this.subscriber] : [this.client];
    // QUIT when connected; a connection that is down (or still trying) is just dropped.
    await Promise.all(connections.map(async (connection) => (connection.status === 'ready' ? connection.quit().catch(() => connection.disconnect()) : connection.disconnect())));
  }

  private subscriberConnection(): Redis {
    if (!this.subscriber) {
      // A connection in subscriber mode cannot send commands; this one only listens. Its offline queue stays on, so a
      // SUBSCRIBE made before the connection is up is sent once it is (and again after each reconnect).
      this.subscriber = new Redis(this.url, { ...connectionOptions(0), enableOfflineQueue: true, autoResubscribe: true });
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (channel: string, message: string) => {
        for (const handler of this.handlers.get(channel) ?? []) handler(message);
      });
    }
    return this.subscriber;
  }

  /** One line when Redis stops answering, one when it is back; the errors of each reconnect attempt in between are not logged. */
  private watchHealth(connection: Redis): void {
    const where = redactedUrl(this.url);
    connection.on('error', (error: NodeJS.ErrnoException) => {
      if (this.down || this.closed) return;
      this.down = true;
      this.log.warn({ redis: where, code: error.code ?? error.name }, 'Redis is not answering: each instance serves from its own cache and limits until it is back');
    });
    connection.on('close', () => {
      if (this.down || this.closed) return;
      this.down = true;
      this.log.warn({ redis: where }, 'Redis connection closed: each instance serves from its own cache and limits until it is back');
    });
    connection.on('ready', () => {
      if (!this.down) return;
      this.down = false;
      this.log.info({ redis: where }, 'Redis answers again: shared cache, limits and certificates resume');
    });
  }
}

const UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

function connectionOptions(commandTimeoutMs: number): RedisOptions {
  return {
    // Fail fast: a command while the connection is down fails at once instead of waiting in a queue.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    ...(commandTimeoutMs > 0 ? { commandTimeout: commandTimeoutMs } : {}),
    connectTimeout: 1000,
    // Keep trying, at most every 2 s: sharing resumes by itself when Redis is back.
    retryStrategy: (attempt: number) => Math.min(100 * attempt, 2000),
    lazyConnect: false,
  };
}

/** The URL without its password, for log lines. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis';
  }
}
