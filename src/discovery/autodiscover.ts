// The domain's own Outlook Autodiscover, read as a discovery source (as Thunderbird's Exchange path reads it):
// the 2006 request POSTed to https://autodiscover.D/autodiscover/autodiscover.xml, https://D/autodiscover/... and
// the host an `_autodiscover._tcp.D` SRV record names (port 443 only); redirectAddr and redirectUrl answers followed
// a few times, https only, every hop through the vetted fetch (address guard, size cap, deadline). What it yields
// ranks with the domain's own autoconfig file: something the domain's owner published.
import { AddressError, parseAddress, type EmailAddress } from '../settings/address.js';
import type { AuthMethod, MailConfig, Provenance, ServerSettings } from '../settings/model.js';
import { escapeXml } from '../xml/escape.js';
import { XmlError } from '../xml/parse.js';
import { redactor, summarize } from './autoconfig.js';
import { parseAutodiscover, type AutodiscoverServer } from './autodiscover-response.js';
import { lookupFetchOptions, type LookupContext, type StepEnd } from './context.js';
import { dnsName, messageOf } from './dns.js';
import { fetchVetted, type FetchHop } from './fetch.js';
import { isInside, rfc2782Order } from './srv.js';

const PATH = '/autodiscover/autodiscover.xml';
const REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';
const RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';
/** Asked for when the lookup has no address (a domain-only request): a name no person has. */
const STAND_IN_LOCAL_PART = 'mailconfig-discovery';
/** SRV targets followed at most. */
const SRV_TARGETS = 2;
const INSECURE = 'insecure: no encryption, passwords travel in clear text (as the Autodiscover answer says)';

export function autodiscoverUrl(host: string): string {
  return `https://${host}${PATH}`;
}

/** The Outlook 2006 request for `address`, asking for the 2006a answer. */
export function autodiscoverRequest(address: string): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${REQUEST_NS}">`,
    `<Request><EMailAddress>${escapeXml(address)}</EMailAddress>`,
    `<AcceptableResponseSchema>${RESPONSE_SCHEMA}</AcceptableResponseSchema>`,
    '</Request></Autodiscover>',
  ].join('');
}

interface Start {
  url: string;
  /** The SRV record that named the host, when one did. */
  record?: string;
}

/**
 * All starting URLs at once; the answer of the best-ranked one that has settings wins (autodiscover.D, then D,
 * then the SRV targets) and the others are stopped.
 */
export async function ownAutodiscover(ctx: LookupContext): Promise<MailConfig | undefined> {
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const fixed: Start[] = [{ url: autodiscoverUrl(`autodiscover.${ctx.domain}`) }, { url: autodiscoverUrl(ctx.domain) }];
  const runs = fixed.map((start) => followChain(ctx, start, signal));
  const fromSrv = srvStarts(ctx).then((starts) => Promise.all(starts.filter((s) => !fixed.some((f) => f.url === s.url)).map((start) => followChain(ctx, start, signal))));
  try {
    for (const run of runs) {
      const config = await run;
      if (config) return config;
    }
    return (await fromSrv).find((config) => config !== undefined);
  } finally {
    stop.abort(new Error("not needed: a better-ranked Autodiscover URL answered"));
    // Chains still running end by the abort; their steps record it.
    await Promise.allSettled([...runs, fromSrv]);
  }
}

/** `_autodiscover._tcp.D`: the hosts to ask, as a step of its own. */
async function srvStarts(ctx: LookupContext): Promise<Start[]> {
  const name = `_autodiscover._tcp.${ctx.domain}`;
  const starts = await ctx.log.run({ kind: 'autodiscover', subject: name }, async () => {
    const answer = await ctx.dns.query(name, 'SRV');
    const records = rfc2782Order(answer.records.filter((r) => dnsName(r.target ?? '') !== ''), ctx.options.random ?? Math.random);
    const out: Start[] = [];
    const notes: string[] = [];
    for (const r of records) {
      const host = dnsName(r.target ?? '');
      const record = `${name} SRV ${r.priority ?? 0} ${r.weight ?? 0} ${r.port ?? 0} ${host}`;
      if (r.port !== 443) notes.push(`${record}: port ${r.port} is not 443, not followed`);
      else if (out.length >= SRV_TARGETS) notes.push(`${record}: more than ${SRV_TARGETS} targets, not followed`);
      else {
        out.push({ url: autodiscoverUrl(host), record });
        notes.push(record);
      }
    }
    const detail = notes.join('; ') || `no SRV record for ${name}`;
    return { outcome: out.length > 0 ? ('found' as const) : ('nothing' as const), detail, value: out };
  });
  return starts ?? [];
}

/** One starting URL and the redirects its answers name, as one step. */
function followChain(ctx: LookupContext, start: Start, signal: AbortSignal): Promise<MailConfig | undefined> {
  return ctx.log.run({ kind: 'autodiscover', subject: start.url }, () => chain(ctx, start, signal));
}

async function chain(ctx: LookupContext, start: Start, signal: AbortSignal): Promise<StepEnd & { value: MailConfig | undefined }> {
  const original = ctx.address ?? parseAddress(`${STAND_IN_LOCAL_PART}@${ctx.domain}`);
  const hide = redactor(ctx);
  let asked = original;
  let url = start.url;
  const hops: FetchHop[] = [];
  const path: string[] = [];
  const said = (words: string) => hide([...path, words].join('; then '));
  const end = (outcome: 'nothing' | 'failed' | 'skipped', detail: string, failure?: StepEnd['failure']) => ({ outcome, detail: said(detail), ...(failure ? { failure } : {}), value: undefined });
  for (let hop = 0; ; hop++) {
    const fetched = await fetchVetted(url, {
      ...lookupFetchOptions(ctx, false),
      signal,
      post: { body: autodiscoverRequest(asked.address), contentType: 'text/xml; charset=utf-8' },
    });
    hops.push(...fetched.hops);
    if (!fetched.ok) {
      if (fetched.failure === 'cancelled') return end('skipped', `${url}: ${reasonOf(signal)}`, 'cancelled');
      if (fetched.missing) return end('nothing', `${url}: ${fetched.error}`);
      return end('failed', `${url}: ${fetched.error}`, fetched.failure);
    }
    let answer;
    try {
      answer = parseAutodiscover(fetched.body, ctx.limits.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof XmlError)) throw error;
      return end('failed', `${url}: not an Autodiscover answer (line ${error.line}: ${error.message})`, 'invalid');
    }
    if (answer.kind === 'none') return end('nothing', `${url}: ${answer.why}`);
    if (answer.kind === 'settings') {
      if (answer.servers.length === 0) return end('nothing', `${url}: no IMAP, POP3 or SMTP settings${answer.ignored.length > 0 ? ` (${answer.ignored.join('; ')})` : ''}`);
      const config = toConfig(ctx, answer.servers, provenance(ctx, start, url, hops, path.map(hide)), original, asked);
      const ignored = answer.ignored.length > 0 ? `; ${answer.ignored.join('; ')}` : '';
      return { outcome: 'found', detail: said(`${url} (https, ${fetched.hops.at(-1)?.tlsVersion ?? 'TLS'}): ${summarize(config.servers)}${ignored}`), value: config };
    }
    if (hop >= ctx.limits.maxRedirects) return end('failed', `${url}: more than ${ctx.limits.maxRedirects} Autodiscover redirects`, 'protocol');
    if (answer.kind === 'redirectUrl') {
      path.push(`${url}: redirectUrl to ${answer.url}`);
      url = answer.url;
      continue;
    }
    try {
      asked = parseAddress(answer.address);
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      return end('failed', `${url}: redirectAddr to something that is not an address (${error.message})`, 'invalid');
    }
    // The new address belongs to one person; the step names only its domain.
    path.push(`${url}: redirectAddr to an address at ${asked.domain}`);
    url = autodiscoverUrl(`autodiscover.${asked.domain}`);
  }
}

function provenance(ctx: LookupContext, start: Start, url: string, hops: FetchHop[], redirects: string[]): Provenance {
  const host = new URL(url).hostname;
  const last = hops.at(-1);
  return {
    kind: 'autoconfig',
    detail: url,
    // The domain's own names: what its owner published. A host elsewhere (an SRV target, a redirect) is a step removed.
    confidence: isInside(host, ctx.domain) ? 'high' : 'medium',
    evidence: {
      format: 'autodiscover',
      url,
      https: true,
      address: last?.address,
      tlsVersion: last?.tlsVersion,
      ...(url !== start.url ? { startedAt: start.url } : {}),
      ...(start.record ? { dns: { srv: start.record } } : {}),
      redirects,
      hops: hops.map((hop) => ({ ...hop })),
    },
  };
}

function toConfig(ctx: LookupContext, servers: AutodiscoverServer[], source: Provenance, original: EmailAddress, asked: EmailAddress): MailConfig {
  const out: ServerSettings[] = [];
  const seen = new Set<string>();
  for (const server of servers) {
    const key = `${server.protocol} ${server.host}:${server.port} ${server.security}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const warnings: string[] = [];
    if (server.security === 'none') warnings.push(INSECURE);
    const username = usernameOf(server.loginName, original, asked, warnings);
    if (server.domainRequired) warnings.push('the server asks for the user name with its Windows domain (DOMAIN\\user)');
    const auth: AuthMethod[] = server.spa ? ['NTLM'] : ['password-cleartext'];
    out.push({ protocol: server.protocol, host: server.host, port: server.port, security: server.security, auth, username, source, ...(warnings.length > 0 ? { warnings } : {}) });
  }
  return {
    id: ctx.domain,
    domains: [ctx.domain],
    mxDomains: [],
    displayName: ctx.domain,
    displayShortName: ctx.domain.split('.')[0],
    servers: out,
    documentation: [],
    enable: [],
    source,
  };
}

/**
 * The answer was given for one address and is cached for the whole domain: the address (or its local part) goes
 * back to its placeholder. A user name that belongs to one person only (after a redirectAddr to another local part)
 * is not kept; the address placeholder stands in, with a warning.
 */
function usernameOf(loginName: string | undefined, original: EmailAddress, asked: EmailAddress, warnings: string[]): string {
  if (loginName === undefined) return '%EMAILADDRESS%';
  const lower = loginName.toLowerCase();
  if (lower === original.address.toLowerCase()) return '%EMAILADDRESS%';
  if (lower === original.localPart.toLowerCase()) return '%EMAILLOCALPART%';
  if (asked !== original) {
    const sameLocal = asked.localPart.toLowerCase() === original.localPart.toLowerCase();
    if (lower === asked.address.toLowerCase()) {
      if (sameLocal) return `%EMAILLOCALPART%@${asked.domain}`;
      warnings.push('the server named a user name for one person; your own address is shown instead, ask your provider if it fails');
      return '%EMAILADDRESS%';
    }
    if (sameLocal && lower === asked.localPart.toLowerCase()) return '%EMAILLOCALPART%';
  }
  // `DOMAIN\alice`: the local part as a whole word goes back to its placeholder.
  const local = original.localPart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return loginName.replace(new RegExp(`(^|[\\\\/])${local}$`, 'i'), (_, before: string) => `${before}%EMAILLOCALPART%`);
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : messageOf(reason);
}
