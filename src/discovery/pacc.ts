// PACC as a discovery source (draft-ietf-mailmaint-pacc-02/-03): fetch
// https://ua-auto-config.<domain>/.well-known/user-agent-configuration.json, look up the `_ua-auto-config.<domain>`
// TXT records, and use the document only when one record's SHA-256 digest matches its exact bytes. A verified
// document ranks first; an unverified one is ignored, and the step says why.
import { createHash } from 'node:crypto';
import { AddressError, parseDomain } from '../settings/address.js';
import { repeatable } from '../settings/quote.js';
import type { AuthMethod, Logo, MailConfig, Protocol, Provenance, ServerSettings, UrlAuthMethod, UrlProtocol, UrlService } from '../settings/model.js';
import { lookupFetchOptions, type LookupContext } from './context.js';
import { messageOf } from './dns.js';
import { fetchVetted } from './fetch.js';

export const PACC_FILE = '/.well-known/user-agent-configuration.json';

export function paccUrl(domain: string): string {
  return `https://ua-auto-config.${domain}${PACC_FILE}`;
}

export function paccTxtName(domain: string): string {
  return `_ua-auto-config.${domain}`;
}

// ---------------------------------------------------------------- the TXT record

export type DigestRecord = { ok: true; digest: Buffer } | { ok: false; reason: string };

const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * One TXT record as UAAC1 (-03 section 5.2.2.2, as implemented by automx): its character-strings joined with no
 * separator; `;`-separated `tag=value` pairs in any order, blanks around `;` and `=` ignored, one trailing `;`
 * allowed, unknown tags ignored; a repeated v, a or d spoils the record; v=UAAC1, a=sha256, d = 32 bytes in base64.
 */
export function parseDigestRecord(strings: readonly string[]): DigestRecord {
  const text = strings.join('');
  const parts = text.split(';').map((part) => part.trim());
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  const tags = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) return { ok: false, reason: part === '' ? 'an empty tag' : `${quoted(part)} is not tag=value` };
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (['v', 'a', 'd'].includes(name) && tags.has(name)) return { ok: false, reason: `tag ${name} given twice` };
    tags.set(name, value);
  }
  if (tags.get('v') !== 'UAAC1') return { ok: false, reason: tags.has('v') ? `version ${brief(tags.get('v')!)} is not UAAC1` : 'no v=UAAC1' };
  if (tags.get('a') !== 'sha256') return { ok: false, reason: tags.has('a') ? `algorithm ${brief(tags.get('a')!)} is not sha256` : 'no a=sha256' };
  const d = tags.get('d');
  if (d === undefined) return { ok: false, reason: 'no d= digest' };
  if (!BASE64_SHA256.test(d)) return { ok: false, reason: 'd= is not 32 bytes in base64' };
  return { ok: true, digest: Buffer.from(d, 'base64') };
}

const NOT_REPEATED = '(a value with markup, quotes or control characters)';

/** A part of the record, shortened, as a reason may repeat it: never its markup or control characters. */
function brief(text: string): string {
  return repeatable(text.length > 40 ? `${text.slice(0, 40)}…` : text) ?? NOT_REPEATED;
}

function quoted(text: string): string {
  const shown = brief(text);
  return shown === NOT_REPEATED ? shown : `"${shown}"`;
}

/** Which of the TXT records vouches for `body`: a reason per record when none does. */
export function verifyDigest(body: Buffer, records: readonly (readonly string[])[]): { verified: true; record: string } | { verified: false; reasons: string[] } {
  const actual = createHash('sha256').update(body).digest();
  const reasons: string[] = [];
  for (const strings of records) {
    const parsed = parseDigestRecord(strings);
    if (!parsed.ok) {
      reasons.push(`"${brief(strings.join(''))}": ${parsed.reason}`);
      continue;
    }
    if (parsed.digest.equals(actual)) return { verified: true, record: strings.join('') };
    reasons.push(`"${brief(strings.join(''))}": digest does not match the document (its SHA-256 is ${actual.toString('base64')})`);
  }
  return { verified: false, reasons };
}

// ---------------------------------------------------------------- the document

/** PACC's implicit-TLS ports; `submit` is automx's -03 name for `smtp`. */
const TEXT_MEMBERS: readonly { member: string; protocol: Protocol; port: number }[] = [
  { member: 'imap', protocol: 'imap', port: 993 },
  { member: 'pop3', protocol: 'pop3', port: 995 },
  { member: 'smtp', protocol: 'smtp', port: 465 },
  { member: 'submit', protocol: 'smtp', port: 465 },
];
const URL_MEMBERS: readonly UrlProtocol[] = ['jmap', 'caldav', 'carddav', 'webdav'];

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringAt = (obj: unknown, key: string): string | undefined => (isObject(obj) && typeof obj[key] === 'string' ? obj[key] : undefined);

export type PaccDocument = { ok: true; config: MailConfig; ignored: string[] } | { ok: false; reason: string };

/** Reads a PACC document into the settings model: servers on the implicit-TLS ports, the address as user name. */
export function configFromPacc(text: string, domain: string, source: Provenance): PaccDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON (${messageOf(error)})` };
  }
  if (!isObject(doc) || !isObject(doc.protocols)) return { ok: false, reason: 'no "protocols" object' };
  const ignored: string[] = [];
  const authentication = isObject(doc.authentication) ? doc.authentication : {};
  const issuer = stringAt(authentication['oauth-public'], 'issuer');
  const issuerUrl = issuer !== undefined ? httpsUrl(issuer) : undefined;
  if (issuer !== undefined && (!issuerUrl || issuerUrl.search || issuerUrl.hash)) ignored.push(`oauth-public issuer "${brief(issuer)}" (not an https URL without query)`);
  const oauth = issuerUrl !== undefined && !issuerUrl.search && !issuerUrl.hash;
  // No "password" member: clients assume passwords work (the draft's default reading).
  const password = authentication.password !== false;
  const mailAuth: AuthMethod[] = [...(oauth ? (['OAuth2'] as const) : []), ...(password ? (['password-cleartext'] as const) : [])];
  const urlAuth: UrlAuthMethod[] = [...(oauth ? (['OAuth2'] as const) : []), ...(password ? (['Basic'] as const) : [])];
  if (mailAuth.length === 0) return { ok: false, reason: 'passwords are off and no usable OAuth issuer is given: no way to log in' };

  const servers: ServerSettings[] = [];
  for (const { member, protocol, port } of TEXT_MEMBERS) {
    if (!(member in doc.protocols)) continue;
    if (protocol === 'smtp' && servers.some((s) => s.protocol === 'smtp')) continue;
    const host = stringAt(doc.protocols[member], 'host');
    const checked = host === undefined ? undefined : hostName(host);
    if (!checked) {
      ignored.push(`protocols.${member} (no valid host)`);
      continue;
    }
    servers.push({ protocol, host: checked, port, security: 'tls', auth: [...mailAuth], username: '%EMAILADDRESS%', source });
  }
  const services: UrlService[] = [];
  for (const protocol of URL_MEMBERS) {
    if (!(protocol in doc.protocols)) continue;
    const url = stringAt(doc.protocols[protocol], 'url');
    if (url === undefined || !httpsUrl(url)) {
      ignored.push(`protocols.${protocol} (no https url)`);
      continue;
    }
    services.push({ protocol, url, auth: [...urlAuth], username: '%EMAILADDRESS%', source });
  }
  for (const member of Object.keys(doc.protocols)) {
    if (!TEXT_MEMBERS.some((m) => m.member === member) && !(URL_MEMBERS as readonly string[]).includes(member)) ignored.push(`protocols.${brief(member)} (not known here)`);
  }
  if (!servers.some((s) => s.protocol !== 'smtp') && !services.some((s) => s.protocol === 'jmap')) return { ok: false, reason: 'no IMAP, POP3 or JMAP in "protocols"' };

  const info = isObject(doc.info) ? doc.info : {};
  const provider = isObject(info.provider) ? info.provider : {};
  const help = isObject(info.help) ? info.help : {};
  const name = stringAt(provider, 'name');
  const shortName = stringAt(provider, 'shortName');
  const config: MailConfig = {
    id: domain,
    domains: [domain],
    mxDomains: [],
    displayName: name ? [...name].slice(0, 60).join('') : domain,
    displayShortName: shortName ? [...shortName].slice(0, 20).join('') : undefined,
    servers,
    documentation: [],
    enable: [],
    source,
  };
  if (config.displayShortName === undefined) delete config.displayShortName;
  if (services.length > 0) config.services = services;
  if (oauth) config.oauth2 = { issuer: issuer!, scope: '', authURL: '', tokenURL: '' };
  const documentation = stringAt(help, 'documentation');
  if (documentation && httpsUrl(documentation)) config.documentation = [{ url: documentation, descriptions: [] }];
  const developer = stringAt(help, 'developer');
  if (developer && httpsUrl(developer)) config.developerUrl = developer;
  if (Array.isArray(help.contact)) {
    const contacts = help.contact.filter((c): c is string => typeof c === 'string' && /^(mailto|https?|tel|xmpp|sip):\S+$/i.test(c));
    if (contacts.length > 0) config.contacts = contacts;
  }
  if (Array.isArray(provider.logo)) {
    const logos: Logo[] = [];
    for (const item of provider.logo) {
      const url = stringAt(item, 'url');
      const type = stringAt(item, 'content-type');
      if (!url || !httpsUrl(url) || !type || !/^image\/[a-z0-9.+-]+$/i.test(type)) continue;
      const logo: Logo = { url, contentType: type.toLowerCase() };
      const size = (key: string) => (isObject(item) && Number.isInteger(item[key]) && (item[key] as number) > 0 ? (item[key] as number) : undefined);
      if (size('width') !== undefined) logo.width = size('width');
      if (size('height') !== undefined) logo.height = size('height');
      logos.push(logo);
    }
    if (logos.length > 0) config.logos = logos;
  }
  return { ok: true, config, ignored };
}

function hostName(text: string): string | undefined {
  try {
    return parseDomain(text);
  } catch (error) {
    if (error instanceof AddressError) return undefined;
    throw error;
  }
}

function httpsUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- the step

/** The `pacc` step: fetch and TXT at once; the config only when a digest matches the bytes. */
export async function paccLookup(ctx: LookupContext): Promise<MailConfig | undefined> {
  const url = paccUrl(ctx.domain);
  const txtName = paccTxtName(ctx.domain);
  return ctx.log.run({ kind: 'pacc', subject: url }, async () => {
    const [fetched, txt] = await Promise.all([
      fetchVetted(url, lookupFetchOptions(ctx, false)),
      ctx.dns.query(txtName, 'TXT').then(
        (answer) => ({ ok: true as const, records: answer.records.map((r) => txtStrings(r.data)) }),
        (error: unknown) => ({ ok: false as const, error: messageOf(error) }),
      ),
    ]);
    if (!fetched.ok) return fetched.missing ? { outcome: 'nothing', detail: `${url}: ${fetched.error}`, value: undefined } : { outcome: 'failed', failure: fetched.failure, detail: `${url}: ${fetched.error}`, value: undefined };
    // fetchVetted decodes the body as UTF-8; re-encoding gives the bytes back for any valid UTF-8 body (JSON is UTF-8).
    const bytes = Buffer.from(fetched.body, 'utf8');
    if (!txt.ok) return { outcome: 'failed', failure: 'dns', detail: `${url} fetched, but the TXT lookup of ${txtName} failed (${txt.error}): document not used`, value: undefined };
    // Records of other kinds may share the name; only those with a v=UAAC... tag are candidates.
    const uaac = txt.records.filter((strings) => /(^|;)\s*v\s*=\s*UAAC/i.test(strings.join('')));
    if (uaac.length === 0) return { outcome: 'nothing', detail: `${url} fetched (${bytes.length} bytes), but ${txtName} has no UAAC1 TXT record: unverified, ignored`, value: undefined };
    const check = verifyDigest(bytes, uaac);
    if (!check.verified) return { outcome: 'nothing', detail: `${url}: not verified by ${txtName}, ignored (${check.reasons.join('; ')})`, value: undefined };
    const source: Provenance = {
      kind: 'autoconfig',
      detail: fetched.url,
      confidence: 'high',
      evidence: { format: 'pacc', url: fetched.url, https: true, digest: check.record, address: fetched.hops.at(-1)?.address, tlsVersion: fetched.hops.at(-1)?.tlsVersion, redirects: fetched.hops.length - 1 },
    };
    const parsed = configFromPacc(fetched.body, ctx.domain, source);
    if (!parsed.ok) return { outcome: 'failed', failure: 'invalid', detail: `${url}: verified by ${txtName}, but not usable: ${parsed.reason}`, value: undefined };
    const also = parsed.ignored.length > 0 ? `; ignored ${parsed.ignored.join(', ')}` : '';
    const summary = [...parsed.config.servers.map((s) => `${s.protocol} ${s.host}`), ...(parsed.config.services ?? []).map((s) => `${s.protocol} ${s.url}`)].join(', ');
    return { outcome: 'found', detail: `${url} verified by ${txtName}: ${summary}${also}`, value: parsed.config };
  });
}

/** dns2 decodes TXT data as an array of character-strings (older versions: one string). */
function txtStrings(data: unknown): string[] {
  if (Array.isArray(data)) return data.map((part) => (Buffer.isBuffer(part) ? part.toString('utf8') : String(part)));
  return typeof data === 'string' ? [data] : [];
}
