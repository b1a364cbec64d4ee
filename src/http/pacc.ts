import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PACC_CONTENT_TYPE, PACC_HOST_LABEL, PACC_PATH, renderPacc } from '../formats/pacc.js';
import { DEFAULT_RECORD_TTL, paccTxtValue } from '../formats/dns-records.js';
import type { MailConfig } from '../settings/model.js';
import { AddressError, parseDomain } from '../settings/address.js';
import { queryParam } from './address.js';
import type { SettingsResolver } from '../settings/resolver.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Clients re-fetch within the hour; the bytes only change with the provider file (and then the TXT must change too). */
const MAX_AGE = 3600;
const CACHE_CONTROL = `public, max-age=${MAX_AGE}`;

/** The bytes of each rendering, made once: renderPacc returns the same object for the same settings. */
const bodies = new WeakMap<object, Buffer>();

type PaccError = 'bad_host' | 'invalid_domain' | 'unknown_domain' | 'not_expressible';

/**
 * PACC: `GET /.well-known/user-agent-configuration.json` on `ua-auto-config.<D>`. The Host header selects D;
 * `?domain=D` does the same for tests and for proxies that rewrite the Host. `?explain=1` answers what was left out.
 */
export function registerPaccRoutes(app: FastifyInstance, deps: { resolver: SettingsResolver }): void {
  app.get(PACC_PATH, async (request, reply) => {
    const domain = paccDomain(request);
    if (!domain.ok) return error(reply, 400, domain.code, domain.reason);
    const { config } = await deps.resolver.resolve(domain.domain);
    if (!config) return error(reply, 404, 'unknown_domain', `no mail settings known for ${domain.domain}`);
    const rendering = renderPacc(config, domain.domain);
    const explain = /^(1|true|yes)$/i.test(queryParam(request, ['explain']) ?? '');
    if (explain) {
      const answer = rendering.ok
        ? { domain: domain.domain, digest: rendering.digest, txt: { name: `_${PACC_HOST_LABEL}.${domain.domain}`, value: paccTxtValue(rendering.digest) }, notes: rendering.notes, document: JSON.parse(rendering.body) as unknown }
        : { domain: domain.domain, error: 'not_expressible', message: rendering.reason, notes: rendering.notes };
      return reply.header('cache-control', 'no-store').type(JSON_TYPE).send(answer);
    }
    if (!rendering.ok) return error(reply, 404, 'not_expressible', `${domain.domain}: ${rendering.reason}`, rendering.notes);
    const etag = `"${rendering.digest}"`;
    void reply.header('etag', etag).header('cache-control', CACHE_CONTROL).header('access-control-allow-origin', '*').header('vary', 'host');
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
    // The exact bytes the TXT digest covers, as bytes: fastify neither re-serialises nor adds a charset parameter.
    let bytes = bodies.get(rendering);
    if (!bytes) {
      bytes = Buffer.from(rendering.body, 'utf8');
      bodies.set(rendering, bytes);
    }
    return reply.header('content-type', PACC_CONTENT_TYPE).send(bytes);
  });
}

type DomainChoice = { ok: true; domain: string } | { ok: false; code: PaccError; reason: string };

/** `?domain=` first (tests, proxies), else the Host `ua-auto-config.<D>`. Neither value is echoed back. */
function paccDomain(request: FastifyRequest): DomainChoice {
  const given = queryParam(request, ['domain']);
  if (given !== undefined) {
    try {
      return { ok: true, domain: parseDomain(given) };
    } catch (error) {
      if (error instanceof AddressError) return { ok: false, code: 'invalid_domain', reason: 'the domain parameter is not a domain name' };
      throw error;
    }
  }
  const host = (request.hostname ?? '').toLowerCase().replace(/\.$/, '');
  const prefix = `${PACC_HOST_LABEL}.`;
  if (!host.startsWith(prefix)) {
    return { ok: false, code: 'bad_host', reason: `PACC is asked at https://${PACC_HOST_LABEL}.<your domain>${PACC_PATH} (or add ?domain=example.org)` };
  }
  try {
    return { ok: true, domain: parseDomain(host.slice(prefix.length)) };
  } catch (error) {
    if (error instanceof AddressError) return { ok: false, code: 'bad_host', reason: `the Host header does not name ${PACC_HOST_LABEL}.<a domain name>` };
    throw error;
  }
}

/** RFC 9110 If-None-Match: `*` or a list of (weak or strong) tags; weak comparison. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

function error(reply: FastifyReply, status: 400 | 404, code: PaccError, message: string, notes?: string[]) {
  reply.request.log.info({ reason: message }, 'PACC request refused');
  return reply.code(status).header('cache-control', 'no-store').type(JSON_TYPE).send(notes ? { error: code, message, notes } : { error: code, message });
}

/** At most this many domains are listed in an admin answer (a hoster's file may list thousands). */
const MAX_LISTED = 50;

/**
 * For the admin API's write answer: the address domains whose PACC digest a change alters, with the old and new TXT
 * values and what to do, so an admin is told when the DNS must change too. Empty (nothing added) when none changes.
 */
export function paccDigestChanges(before: MailConfig | undefined, after: MailConfig): { pacc?: { changed: { domain: string; before: string | null; after: string | null }[]; more: number; note: string } } {
  const txt = (config: MailConfig | undefined, domain: string) => {
    if (!config) return null;
    const rendering = renderPacc(config, domain);
    return rendering.ok ? paccTxtValue(rendering.digest) : null;
  };
  const changed = after.domains.flatMap((domain) => {
    const old = txt(before, domain);
    const now = txt(after, domain);
    return old === now ? [] : [{ domain, before: old, after: now }];
  });
  if (changed.length === 0) return {};
  return {
    pacc: {
      changed: changed.slice(0, MAX_LISTED),
      more: Math.max(0, changed.length - MAX_LISTED),
      note:
        `the PACC document changed, so its digest did: publish each new _${PACC_HOST_LABEL}.<domain> TXT now, next to the old one ` +
        `(clients whose resolvers still hold only the old record ignore the document until its TTL, ${DEFAULT_RECORD_TTL} s by default, passes), ` +
        `and remove the old one after that TTL and the document's max-age (${MAX_AGE} s). Next time publish the new record before the change: mailconfig dns <domain> --dir <changed providers>`,
    },
  };
}
