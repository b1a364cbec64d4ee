// The service's own base URL for what it hands out (the Autodiscover V2 pointer, the profile link and QR code on the
// setup page, the OpenAPI server): MAILCONFIG_PUBLIC_URL when set; otherwise the request's Host, but only when it
// is a name this service serves. Anyone can send `Host: evil.example`; a pointer built from it would send Outlook
// (or a cache in between) to the attacker.
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import type { ServiceDeps } from './deps.js';

/** The prefixes under which a mail domain's clients reach this service (Thunderbird, Outlook, PACC). */
const SERVICE_PREFIXES = ['autoconfig.', 'autodiscover.', 'ua-auto-config.'];

/** `name` is one this service answers for: listed in MAILCONFIG_HOSTNAMES, loopback, or a prefix of a served domain. */
export function isServedHost(name: string, deps: Pick<ServiceDeps, 'config' | 'providers'>): boolean {
  const host = name.toLowerCase().replace(/\.$/, '');
  if (host === '') return false;
  if (deps.config.hostnames.includes(host)) return true;
  if (isLoopback(host)) return true;
  const prefix = SERVICE_PREFIXES.find((p) => host.startsWith(p));
  if (!prefix) return false;
  return deps.providers.current().byDomain(host.slice(prefix.length)) !== undefined;
}

/** `localhost` and loopback literals: a link to them leads nowhere but the asker's own machine. */
function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (!ipaddr.isValid(literal)) return false;
  const address = ipaddr.process(literal);
  return address.range() === 'loopback';
}

/**
 * The base URL (scheme, host, port; no trailing slash), or undefined when there is none to give: no public URL is
 * configured and the request's Host is not one of ours (or not a well-formed host at all).
 */
export function publicBaseUrl(request: FastifyRequest, deps: Pick<ServiceDeps, 'config' | 'providers'>): string | undefined {
  const configured = deps.config.publicUrl;
  if (configured) return configured;
  const host = typeof request.host === 'string' ? request.host : '';
  if (host.length > 270 || !/^[A-Za-z0-9.:[\]-]+$/.test(host)) return undefined;
  const candidate = `${request.protocol}://${host}`;
  if (!URL.canParse(candidate)) return undefined;
  return isServedHost(new URL(candidate).hostname, deps) ? candidate : undefined;
}
