import { Counter, type Registry } from 'prom-client';

/** Which budget refused a request: the general request limit, the tighter one for discoveries, failed admin logins. */
export type LimitName = 'requests' | 'discovery' | 'admin-auth';

/** Counters of refusals (no addresses, no client IPs as labels: the label sets stay small and impersonal). */
export interface AbuseMetrics {
  rateLimited(limit: LimitName): void;
  adminAuthFailure(): void;
}

/** One set per registry: the HTTP and HTTPS listeners count into the same registry (metrics.ts). */
const byRegistry = new WeakMap<Registry, AbuseMetrics>();

export function createAbuseMetrics(registry: Registry): AbuseMetrics {
  const known = byRegistry.get(registry);
  if (known) return known;
  const limited = new Counter({
    name: 'mailconfig_rate_limited_total',
    help: 'Requests refused with 429, by the limit that refused them (requests, discovery, admin-auth)',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  const authFailures = new Counter({
    name: 'mailconfig_admin_auth_failures_total',
    help: 'Admin API requests with a missing or wrong token',
    registers: [registry],
  });
  // Every label shows from the start (0), so a dashboard tells "none yet" from "not measured".
  const children = { requests: limited.labels({ limit: 'requests' }), discovery: limited.labels({ limit: 'discovery' }), 'admin-auth': limited.labels({ limit: 'admin-auth' }) };
  const metrics: AbuseMetrics = {
    rateLimited: (limit) => children[limit].inc(),
    adminAuthFailure: () => authFailures.inc(),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
