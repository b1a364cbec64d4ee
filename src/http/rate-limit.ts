import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { ServiceDeps } from './deps.js';
import type { AbuseMetrics } from './abuse-metrics.js';
import { sharedRateLimitStore } from './shared-rate-limit.js';

// Load balancers and monitors poll these from one address.
const EXEMPT = ['/healthz', '/readyz', '/metrics'];

/** Per-client request budget (MAILCONFIG_RATE_LIMIT per minute); a lookup can cost DNS queries and connections. */
export async function registerRateLimit(app: FastifyInstance, deps: ServiceDeps, metrics: AbuseMetrics): Promise<void> {
  const max = deps.config.rateLimitPerMinute;
  if (max === 0) return;
  await app.register(rateLimit, {
    global: true,
    max,
    timeWindow: 60_000,
    cache: 20_000, // bounded memory: at most this many client addresses tracked
    // Several instances: counted in Redis, so the limit holds across them (this instance's own counts when it is down).
    ...(deps.shared ? { store: sharedRateLimitStore(deps.shared, 20_000) } : {}),
    // Budget headers only on the 429 (with Retry-After): well-behaved clients never need them, and they cost every answer.
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    allowList: (request) => EXEMPT.includes(request.url.split('?')[0] ?? '') || request.url.startsWith('/assets/'),
    onExceeded: () => metrics.rateLimited('requests'),
    // Thrown to the family's error handler, which answers in the route's format with this message and Retry-After.
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: 'too many requests',
      message: `rate limit of ${context.max} requests per minute exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`,
      safeMessage: true,
      retryAfterSeconds: Math.ceil(context.ttl / 1000),
    }),
  });
}
