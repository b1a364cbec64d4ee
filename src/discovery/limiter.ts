// Caps open probe connections: one global cap protects this host and its file descriptors, a per-domain cap keeps
// one looked-up domain (and whoever runs its DNS) from taking every slot or hammering a single mail host.

interface Waiter {
  domain: string;
  target: string | undefined;
  start: () => void;
  cancel: () => void;
}

export interface ConnectionLimiterOptions {
  /** Open connections at most, over all domains. */
  global: number;
  /** Open connections at most for one domain. */
  perDomain: number;
  /**
   * Open connections at most to one target address (unique domains that all point at one server must not add up to a
   * flood of it); unlimited by default.
   */
  perTarget?: number;
}

export class ConnectionLimiter {
  private readonly global: number;
  private readonly perDomain: number;
  private running = 0;
  private readonly byDomain = new Map<string, number>();
  private readonly perTarget: number;
  private readonly byTarget = new Map<string, number>();
  /** One FIFO over all domains; a waiter whose domain is full is skipped, not allowed to block the others. */
  private readonly queue: Waiter[] = [];

  constructor(opts: ConnectionLimiterOptions) {
    if (!(opts.global >= 1) || !(opts.perDomain >= 1)) throw new RangeError('ConnectionLimiter caps must be at least 1');
    this.global = Math.floor(opts.global);
    this.perDomain = Math.floor(opts.perDomain);
    if (opts.perTarget !== undefined && !(opts.perTarget >= 1)) throw new RangeError('ConnectionLimiter caps must be at least 1');
    this.perTarget = opts.perTarget === undefined ? Infinity : Math.floor(opts.perTarget);
  }

  /** Connections open now (for metrics and tests). */
  get active(): number {
    return this.running;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Runs `fn` once a slot is free for `domain` (and for `target`, the address it connects to, when given); a task
   * still queued when `signal` aborts leaves the queue and rejects.
   */
  run<T>(domain: string, fn: () => Promise<T>, signal?: AbortSignal, target?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => waiter.cancel();
      const waiter: Waiter = {
        domain,
        target,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.acquire(domain, target);
          let task: Promise<T>;
          try {
            task = fn();
          } catch (error) {
            task = Promise.reject(error);
          }
          // Free the slot before the caller hears back, so `active` is already right when it does.
          task.then(
            (value) => {
              this.release(domain, target);
              resolve(value);
            },
            (error: unknown) => {
              this.release(domain, target);
              reject(error);
            },
          );
        },
        cancel: () => {
          const at = this.queue.indexOf(waiter);
          if (at === -1) return;
          this.queue.splice(at, 1);
          reject(abortReason(signal));
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  private fits(waiter: Waiter): boolean {
    if (this.running >= this.global || (this.byDomain.get(waiter.domain) ?? 0) >= this.perDomain) return false;
    return waiter.target === undefined || (this.byTarget.get(waiter.target) ?? 0) < this.perTarget;
  }

  private acquire(domain: string, target: string | undefined): void {
    this.running += 1;
    this.byDomain.set(domain, (this.byDomain.get(domain) ?? 0) + 1);
    if (target !== undefined) this.byTarget.set(target, (this.byTarget.get(target) ?? 0) + 1);
  }

  private release(domain: string, target: string | undefined): void {
    this.running -= 1;
    decrement(this.byDomain, domain);
    if (target !== undefined) decrement(this.byTarget, target);
    this.pump();
  }

  /** Starts queued tasks in arrival order while slots are free. */
  private pump(): void {
    for (let i = 0; i < this.queue.length && this.running < this.global; ) {
      const waiter = this.queue[i] as Waiter;
      if (!this.fits(waiter)) {
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      waiter.start();
    }
  }
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left === 0) counts.delete(key);
  else counts.set(key, left);
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException('The operation was aborted', 'AbortError');
}
