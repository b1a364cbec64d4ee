// @fastify/rate-limit's counters in Redis when several instances run (MAILCONFIG_REDIS_URL), so a client's limit holds
// across all of them; whenever Redis does not answer, the same request is counted in this instance's own store
// instead (a limit per instance, as without Redis), never waived and never waiting more than the command timeout.
import { createRequire } from 'node:module';
import type { FastifyRateLimitOptions, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { SharedState } from '../redis/shared-state.js';

type Answer = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** The store contract of @fastify/rate-limit (its RedisStore and LocalStore, store/*.js). */
interface Store {
  incr(key: string, answer: Answer, timeWindow: number, max: number): void;
  child(routeOptions: unknown): Store;
}

type StoreClass = new (continueExceeding: boolean, exponentialBackoff: boolean, ...rest: unknown[]) => Store;

// The plugin's own stores (CommonJS, not in its exports' types): reused rather than rewritten.
const require = createRequire(import.meta.url);
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as StoreClass;
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as StoreClass;

/** The class to pass as the plugin's `store` option. */
export function sharedRateLimitStore(shared: SharedState, localEntries: number): FastifyRateLimitStoreCtor {
  class FallbackStore implements Store {
    constructor(
      private readonly redis: Store,
      private readonly local: Store,
    ) {}

    incr(key: string, answer: Answer, timeWindow: number, max: number): void {
      if (!shared.available) {
        this.local.incr(key, answer, timeWindow, max);
        return;
      }
      this.redis.incr(key, (error, result) => (error || !result ? this.local.incr(key, answer, timeWindow, max) : answer(null, result)), timeWindow, max);
    }

    child(routeOptions: unknown): Store {
      return new FallbackStore(this.redis.child(routeOptions), this.local.child(routeOptions));
    }
  }
  return class SharedRateLimitStore extends FallbackStore {
    constructor(options: FastifyRateLimitOptions) {
      // The plugin hands its resolved global parameters, which carry these two (its types do not list them).
      const params = options as { continueExceeding?: boolean; exponentialBackoff?: boolean };
      const continueExceeding = params.continueExceeding ?? false;
      const exponentialBackoff = params.exponentialBackoff ?? false;
      super(
        new RedisStore(continueExceeding, exponentialBackoff, shared.client, shared.key('rl:')),
        new LocalStore(continueExceeding, exponentialBackoff, localEntries),
      );
    }
  };
}
