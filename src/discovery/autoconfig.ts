// A domain's own autoconfig file (Thunderbird's two URLs), read with the provider database's parser and limits.
import { parseProvider } from '../providers/parse.js';
import type { MailConfig, Provenance, ServerSettings, SourceKind } from '../settings/model.js';
import { lookupFetchOptions, type LookupContext, type StepId } from './context.js';
import type { StepKind } from '../settings/steps.js';
import { fetchVetted } from './fetch.js';

const FILE = 'mail/config-v1.1.xml';
const HTTP_WARNING = 'fetched over plain http: anyone on the path could have changed these settings';

export function autoconfigHostUrl(ctx: LookupContext, domain: string, scheme: 'https' | 'http' = 'https'): string {
  return `${scheme}://autoconfig.${domain}/${FILE}${query(ctx)}`;
}

export function wellKnownUrl(ctx: LookupContext, domain: string): string {
  return `https://${domain}/.well-known/autoconfig/${FILE}${query(ctx)}`;
}

function query(ctx: LookupContext): string {
  return ctx.address ? `?emailaddress=${encodeURIComponent(ctx.address.address)}` : '';
}

/**
 * The domain's own file: autoconfig.D first, then D/.well-known (both asked at once), then, only when
 * allowed and https gave nothing, http://autoconfig.D.
 */
export async function ownAutoconfig(ctx: LookupContext): Promise<MailConfig | undefined> {
  const attempts: [StepKind, string][] = [
    ['autoconfig', autoconfigHostUrl(ctx, ctx.domain)],
    ['well-known', wellKnownUrl(ctx, ctx.domain)],
  ];
  const found = await Promise.all(attempts.map(([step, url]) => fetchAutoconfig(ctx, step, url, 'autoconfig')));
  const best = found.find((config) => config !== undefined);
  if (best || !ctx.options.autoconfigHttp || ctx.signal.aborted) return best;
  return fetchAutoconfig(ctx, 'autoconfig-http', autoconfigHostUrl(ctx, ctx.domain, 'http'), 'autoconfig');
}

/**
 * Fetches and parses one autoconfig URL as a step; its servers carry the URL, the address and the TLS version.
 * The step's subject is the URL without its query, which is where the asker's address travels.
 */
export async function fetchAutoconfig(ctx: LookupContext, step: StepKind, url: string, kind: SourceKind): Promise<MailConfig | undefined> {
  // The URL carries the asking person's address; what is recorded (steps, provenance) is cached for the whole
  // domain and shown to whoever asks next, so it names the placeholder instead.
  const shown = redactor(ctx);
  const id: StepId = { kind: step, subject: url.replace(/\?.*$/, '') };
  return ctx.log.run(id, async () => {
    const fetched = await fetchVetted(url, lookupFetchOptions(ctx, ctx.options.autoconfigHttp));
    if (!fetched.ok) return fetched.missing ? { outcome: 'nothing', detail: shown(`${url}: ${fetched.error}`), value: undefined } : { outcome: 'failed', failure: fetched.failure, detail: shown(`${url}: ${fetched.error}`), value: undefined };
    const hops = fetched.hops.map((hop) => ({ ...hop, url: shown(hop.url) }));
    const fetchedUrl = shown(fetched.url);
    const source: Provenance = {
      kind,
      detail: fetchedUrl,
      confidence: fetched.secure ? (kind === 'autoconfig' ? 'high' : 'medium') : 'low',
      evidence: { url: fetchedUrl, https: fetched.secure, address: hops.at(-1)?.address, tlsVersion: hops.at(-1)?.tlsVersion, redirects: hops.length - 1, hops },
    };
    const parsed = parseProvider(fetched.body, { file: fetchedUrl, source, maxBytes: ctx.limits.maxBodyBytes });
    const errors = parsed.problems.filter((p) => p.severity === 'error');
    if (!parsed.config) {
      const first = errors.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`).join('; ');
      return { outcome: 'failed', failure: 'invalid', detail: shown(`${fetchedUrl}: not a usable clientConfig file (${first})`), value: undefined };
    }
    const config = finish(ctx, parsed.config, source, fetched.secure);
    const via = fetched.secure ? `https, ${hops.at(-1)?.tlsVersion ?? 'TLS'}` : 'plain http';
    return { outcome: 'found', detail: shown(`${fetchedUrl} (${via}): ${summarize(config.servers)}`), value: config };
  });
}

/** Replaces the asking person's address (as typed, URL-encoded, or re-encoded by the URL parser) with its placeholder. */
export function redactor(ctx: LookupContext): (text: string) => string {
  const address = ctx.address?.address;
  if (!address) return (text) => text;
  const encoded = encodeURIComponent(address);
  const forms = [...new Set([address, encoded, new URL(`https://x/?${encoded}`).search.slice(1)])].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(forms.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
  return (text) => text.replace(pattern, '%EMAILADDRESS%');
}

/** Gives every server the file's provenance, marks plain-http results, and restores placeholders the server filled. */
function finish(ctx: LookupContext, config: MailConfig, source: Provenance, secure: boolean): MailConfig {
  const servers = config.servers.map((server): ServerSettings => {
    const warnings = [...(server.warnings ?? []), ...(secure ? [] : [HTTP_WARNING])];
    const result: ServerSettings = { ...server, username: depersonalize(ctx, server.username), source };
    if (warnings.length > 0) result.warnings = warnings;
    return result;
  });
  return { ...config, servers, source };
}

/**
 * The file was asked for one person's address and may spell it out; the result is cached for the whole domain,
 * so the address goes back to its placeholder.
 */
function depersonalize(ctx: LookupContext, username: string): string {
  const address = ctx.address;
  if (!address) return username;
  const lower = username.toLowerCase();
  if (lower === address.address.toLowerCase()) return '%EMAILADDRESS%';
  if (lower === address.localPart.toLowerCase()) return '%EMAILLOCALPART%';
  return username;
}

export function summarize(servers: readonly ServerSettings[]): string {
  return servers.map((s) => `${s.protocol} ${s.host}:${s.port} ${s.security}`).join(', ') || 'no servers';
}
