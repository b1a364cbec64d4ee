// PACC (draft-ietf-mailmaint-pacc-02/-03): the JSON document at
// https://ua-auto-config.<domain>/.well-known/user-agent-configuration.json, pinned by the SHA-256 digest in the
// `_ua-auto-config.<domain>` TXT record. Its bytes must be the same for the same settings, so members are sorted
// and nothing optional (whitespace, absent values) varies. PACC has no ports, no TLS choice and no user names:
// a text protocol is implicit TLS on its default port and the user name is the e-mail address, so whatever
// cannot be said that way is left out, and `notes` says why.
import { createHash } from 'node:crypto';
import { allowsPasswords, helpUrl, providerDisplayName, urlService, type MailConfig, type Protocol, type ServerSettings, type UrlProtocol } from '../settings/model.js';
import { compileTemplate, fillCompiled } from '../settings/placeholders.js';
import { rankServers } from '../settings/preference.js';

export const PACC_CONTENT_TYPE = 'application/json';
export const PACC_PATH = '/.well-known/user-agent-configuration.json';
export const PACC_HOST_LABEL = 'ua-auto-config';

/** PACC's protocol names for the mail protocols, with the only port each can mean (implicit TLS). */
const TEXT_PROTOCOLS: readonly { protocol: Protocol; member: string; port: number }[] = [
  { protocol: 'imap', member: 'imap', port: 993 },
  { protocol: 'pop3', member: 'pop3', port: 995 },
  // -02 writes `smtp`; automx's -03 writes `submit`. We emit `smtp` and accept both when reading.
  { protocol: 'smtp', member: 'smtp', port: 465 },
];
const URL_MEMBERS: readonly UrlProtocol[] = ['jmap', 'caldav', 'carddav', 'webdav'];
const DAV: ReadonlySet<UrlProtocol> = new Set(['caldav', 'carddav', 'webdav']);
const LOGIN_METHODS: ReadonlySet<string> = new Set(['password-cleartext', 'password-encrypted', 'OAuth2']);

export type PaccRendering =
  | { ok: true; body: string; digest: string; notes: string[] }
  | { ok: false; reason: string; notes: string[] };

type Json = string | number | boolean | Json[] | { [key: string]: Json };

/**
 * JSON with every object's members in code-point order and no whitespace: the one serialisation of a value.
 * (JSON.stringify keeps insertion order, which would make the bytes depend on how the object was built.)
 */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The `d=` value of the TXT record: base64 of SHA-256 over the exact body bytes (UTF-8). */
export function paccDigest(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('base64');
}

interface Template {
  /** Canonical JSON with %EMAILDOMAIN% still in place (filled per domain, as host names may carry it). */
  text: string;
  compiled: ReturnType<typeof compileTemplate<'domain'>>;
  notes: string[];
  reason?: string | undefined;
}

const DOMAIN_MARKER: Record<string, 'domain'> = { '%EMAILDOMAIN%': 'domain' };
const templates = new WeakMap<MailConfig, Template>();
/** The rendering for a config with no per-domain part, so serving is a map lookup. */
const fixed = new WeakMap<MailConfig, PaccRendering>();

/** The PACC document of `config` as served for `domain` (the address domain the client asked about). */
export function renderPacc(config: MailConfig, domain: string): PaccRendering {
  const ready = fixed.get(config);
  if (ready) return ready;
  let template = templates.get(config);
  if (!template) {
    template = buildTemplate(config);
    templates.set(config, template);
  }
  const notes = template.notes.map((note) => note.replaceAll('%EMAILDOMAIN%', domain));
  const perDomain = template.compiled.slots.length > 0 || template.notes.some((note) => note.includes('%EMAILDOMAIN%'));
  let rendering: PaccRendering;
  if (template.reason !== undefined) rendering = { ok: false, reason: template.reason, notes };
  else {
    // Domains are ASCII letters, digits, dots and hyphens: nothing in them needs JSON escaping.
    const body = fillCompiled(template.compiled, { domain });
    rendering = { ok: true, body, digest: paccDigest(body), notes };
  }
  if (!perDomain) fixed.set(config, rendering);
  return rendering;
}

function buildTemplate(config: MailConfig): Template {
  const notes: string[] = [];
  const protocols: Record<string, Json> = {};
  const offered: { auth: readonly string[] }[] = [];
  for (const { protocol, member, port } of TEXT_PROTOCOLS) {
    const chosen = chooseServer(config, protocol, port, notes);
    if (!chosen) continue;
    protocols[member] = { host: chosen.host };
    offered.push(chosen);
  }
  for (const protocol of URL_MEMBERS) {
    const service = urlService(config, protocol);
    if (!service) continue;
    const why = urlProblem(protocol, service.url) ?? (service.username === '%EMAILADDRESS%' ? undefined : `its user name is ${service.username}, but PACC clients log in with the whole address`);
    if (why) {
      notes.push(`${protocol} left out: ${why}`);
      continue;
    }
    protocols[protocol] = { url: service.url };
    offered.push(service);
  }
  const template = (text: string, reason?: string): Template => ({ text, compiled: compileTemplate(text, DOMAIN_MARKER), notes, reason });
  if (Object.keys(protocols).length === 0) return template('', 'no protocol can be expressed in PACC (it needs IMAP, POP3 or SMTP with implicit TLS on 993/995/465, or https URLs)');

  const authentication: Record<string, Json> = {};
  const issuer = config.oauth2?.issuer;
  if (issuer !== undefined) {
    const why = issuerProblem(issuer);
    if (why) notes.push(`authentication.oauth-public left out: the OAuth2 issuer "${issuer}" ${why}`);
    else authentication['oauth-public'] = { issuer };
  }
  // What the published protocols accept, not the whole provider: a password-only STARTTLS server left out above
  // does not make PACC clients try passwords.
  authentication.password = offered.some((s) => s.auth.some((m) => m === 'password-cleartext' || m === 'password-encrypted' || m === 'Basic' || m === 'Digest'));
  if (!authentication.password && !authentication['oauth-public'] && allowsPasswords(config)) notes.push('authentication.password is false: none of the published protocols accepts a password');

  const info: Record<string, Json> = { provider: providerInfo(config, notes) };
  const help = helpInfo(config, notes);
  if (Object.keys(help).length > 0) info.help = help;
  return template(canonicalJson({ authentication, info, protocols }));
}

/** The best server of a protocol that PACC can describe: implicit TLS, the default port, the address as user name. */
function chooseServer(config: MailConfig, protocol: Protocol, port: number, notes: string[]): ServerSettings | undefined {
  const servers = rankServers(config.servers.filter((s) => s.protocol === protocol));
  if (servers.length === 0) return undefined;
  const name = protocol.toUpperCase();
  for (const server of servers) {
    if (server.security === 'tls' && server.port === port && server.username === '%EMAILADDRESS%' && server.auth.some((m) => LOGIN_METHODS.has(m))) return server;
  }
  // Say why for the best one: that is the server a client would otherwise have used.
  const best = servers[0]!;
  const why =
    servers.every((s) => s.security !== 'tls')
      ? `offered only with ${servers.every((s) => s.security === 'none') ? 'no encryption' : 'STARTTLS'} (${describe(servers)}); PACC can only say implicit TLS`
      : !servers.some((s) => s.security === 'tls' && s.port === port)
        ? `implicit TLS only on port ${servers.filter((s) => s.security === 'tls').map((s) => s.port).join('/')}, PACC means port ${port}`
        : best.username !== '%EMAILADDRESS%'
          ? `its user name is ${best.username}, but PACC clients log in with the whole address`
          : `it offers only ${best.auth.join('/')}, which PACC clients do not use`;
  notes.push(`${name} left out: ${why}`);
  return undefined;
}

function describe(servers: ServerSettings[]): string {
  return servers.map((s) => `${s.host}:${s.port}`).join(', ');
}

function urlProblem(protocol: UrlProtocol, text: string): string | undefined {
  if (/%EMAIL(ADDRESS|LOCALPART)%/.test(text)) return `its URL ${text} differs per user; PACC is one document per domain`;
  let url: URL;
  try {
    url = new URL(text.replaceAll('%EMAILDOMAIN%', 'example.com'));
  } catch {
    return `${text} is not a URL`;
  }
  if (url.protocol !== 'https:') return `${text} is not https`;
  if (url.port !== '') return `${text} names port ${url.port}; PACC URLs are https on 443`;
  if (DAV.has(protocol) && (url.pathname === '/' || url.pathname === '')) return `${text} is a bare origin; PACC needs the context path`;
  return undefined;
}

/** RFC 8414 issuer: an https URL without query or fragment (ISPDB files carry a bare host name instead). */
function issuerProblem(issuer: string): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'is not a URL (RFC 8414 issuers are https URLs)';
  }
  if (url.protocol !== 'https:') return 'is not an https URL';
  if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#')) return 'has a query or fragment';
  return undefined;
}

function providerInfo(config: MailConfig, notes: string[]): Record<string, Json> {
  const provider: Record<string, Json> = {};
  const name = [...providerDisplayName(config)];
  if (name.length > 60) notes.push(`info.provider.name shortened to 60 characters (PACC's limit)`);
  provider.name = name.slice(0, 60).join('');
  const short = config.displayShortName;
  if (short !== undefined) {
    if ([...short].length <= 20) provider.shortName = short;
    else notes.push('info.provider.shortName left out: longer than 20 characters');
  }
  const logos = (config.logos ?? []).map((logo) => {
    const entry: Record<string, Json> = { 'content-type': logo.contentType, url: logo.url };
    // PACC: no size for SVG.
    if (logo.contentType !== 'image/svg+xml') {
      if (logo.width !== undefined) entry.width = logo.width;
      if (logo.height !== undefined) entry.height = logo.height;
    }
    return entry;
  });
  if (logos.length > 0) provider.logo = logos;
  return provider;
}

function helpInfo(config: MailConfig, notes: string[]): Record<string, Json> {
  const help: Record<string, Json> = {};
  const documentation = helpUrl(config);
  if (documentation !== undefined) {
    if (documentation.startsWith('https://')) help.documentation = documentation;
    else notes.push(`info.help.documentation left out: ${documentation} is not https`);
  }
  if (config.developerUrl !== undefined) help.developer = config.developerUrl;
  if (config.contacts && config.contacts.length > 0) help.contact = [...config.contacts];
  return help;
}
