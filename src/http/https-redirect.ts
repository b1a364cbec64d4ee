import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ACME_CHALLENGE_PREFIX } from './acme-challenge.js';
import { sendPlainText } from './plain.js';

export interface RedirectTarget {
  /** MAILCONFIG_PUBLIC_URL when it is https: the service's own name with a certificate. */
  publicUrl?: string | undefined;
  /** The HTTPS listener's port as clients reach it (443 is left out of URLs); read per request (port 0 in tests). */
  httpsPort: () => number;
}

/** Load balancers and the container health check poll these over plain HTTP; a redirect would fail them. */
const KEEP_ON_HTTP = new Set(['/healthz', '/readyz', '/metrics']);
const OUTLOOK_POX = '/autodiscover/autodiscover.xml';

/**
 * MAILCONFIG_HTTPS_REDIRECT=on for the HTTP listener: every request is sent to the same URL over https (301 for
 * GET/HEAD, 308 otherwise, so a POST stays a POST), except ACME http-01 challenges and health checks, which are
 * answered here, and Outlook's HTTP redirect method (MS-OXDSCLI 3.1.5.1): a GET of /autodiscover/autodiscover.xml
 * answers 302 to this service's own https URL, which Outlook follows after asking the user.
 */
export function registerHttpsRedirect(app: FastifyInstance, target: RedirectTarget): void {
  const base = target.publicUrl?.startsWith('https://') ? target.publicUrl : undefined;
  const basePort = base ? portOf(base) : undefined;
  app.addHook('onRequest', async (request, reply) => {
    const httpsPort = target.httpsPort();
    const port = basePort ?? (httpsPort === 443 ? '' : `:${httpsPort}`);
    const path = (request.url.split('?')[0] ?? '/').toLowerCase();
    if (path.startsWith(ACME_CHALLENGE_PREFIX) || KEEP_ON_HTTP.has(path)) return;
    const host = hostOf(request);
    if (request.method === 'GET' && path.replace(/\/+$/, '') === OUTLOOK_POX && (base || host)) {
      return reply.header('cache-control', 'no-store').redirect(`${base ?? `https://${host}${port}`}${OUTLOOK_POX}`, 302);
    }
    if (!host) return sendPlainText(reply, 400, 'Bad request: this address is served over https only, and the request names no valid Host');
    return reply.redirect(`https://${host}${port}${request.url}`, request.method === 'GET' || request.method === 'HEAD' ? 301 : 308);
  });
}

/** The request's host name without its port (brackets kept for IPv6), or undefined when it is not a plain host. */
function hostOf(request: FastifyRequest): string | undefined {
  const raw = (request.headers.host ?? '').toLowerCase();
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::\d{1,5})?$/.exec(raw);
  return m?.[1];
}

function portOf(url: string): string {
  const { port } = new URL(url);
  return port ? `:${port}` : '';
}
