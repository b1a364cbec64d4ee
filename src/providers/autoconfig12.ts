// The Autoconfig 1.2 parts of a provider file (draft-ietf-mailmaint-autoconfig-06): URL services (`<incomingServer
// type="jmap">`, root `<calendar type="caldav">`, `<addressbook type="carddav">`, `<fileShare type="webdav">`),
// `system="sasl"` mechanisms, the public `<clientID>` of `<oAuth2>`, and this service's own PACC extensions inside
// `<emailProvider>` (`<logo>`, `<developer>`, `<contact>`), which every client skips as unknown elements.
import { brokenPlaceholders } from '../settings/placeholders.js';
import { quoteValue } from '../settings/quote.js';
import { URL_AUTH_METHODS, type Logo, type Provenance, type UrlAuthMethod, type UrlProtocol, type UrlService } from '../settings/model.js';
import { childrenNamed, firstChild, type XmlElement } from '../xml/parse.js';

type Report = (line: number, severity: 'error' | 'warning', message: string) => void;

/** Root-level URL sections and the `type` each must carry. */
export const ROOT_URL_SECTIONS: readonly { element: string; type: UrlProtocol }[] = [
  { element: 'calendar', type: 'caldav' },
  { element: 'addressbook', type: 'carddav' },
  { element: 'fileShare', type: 'webdav' },
];

/** Values placeholders stand for when a URL is checked (the real ones are filled in per address). */
const SAMPLE: Record<string, string> = { '%EMAILADDRESS%': 'user%40example.com', '%EMAILLOCALPART%': 'user', '%EMAILDOMAIN%': 'example.com' };

/** An https URL once placeholders are filled in; undefined when it is not. */
export function httpsUrl(value: string): URL | undefined {
  try {
    const url = new URL(value.replace(/%EMAIL(ADDRESS|LOCALPART|DOMAIN)%/g, (p) => SAMPLE[p]!));
    return url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** `<incomingServer type="jmap">` and the root URL sections, in file order per kind (JMAP first). */
export function readUrlServices(root: XmlElement, provider: XmlElement, source: Provenance, report: Report): UrlService[] {
  const services: UrlService[] = [];
  for (const el of childrenNamed(provider, 'incomingServer')) {
    if (el.attrs.type === 'jmap') services.push(...readUrlService(el, 'jmap', source, report));
  }
  for (const { element, type } of ROOT_URL_SECTIONS) {
    for (const el of childrenNamed(root, element)) {
      if (el.attrs.type !== type) {
        // A type this service does not know (e.g. a future DAV flavour): clients skip it, so do we, loudly.
        report(el.line, 'warning', `<${element} type=${quoteValue(el.attrs.type ?? '')}> is skipped (expected type=${quoteValue(type)})`);
        continue;
      }
      services.push(...readUrlService(el, type, source, report));
    }
  }
  for (const el of childrenNamed(root, 'addressBook')) report(el.line, 'warning', '<addressBook> is skipped: Autoconfig 1.2 spells it <addressbook type="carddav"> (lower-case b)');
  for (const name of ['calendar', 'addressBook']) {
    for (const el of childrenNamed(provider, name)) report(el.line, 'warning', `<${name}> inside <emailProvider> is skipped: Autoconfig 1.2 puts <calendar type="caldav"> and <addressbook type="carddav"> beside <emailProvider>`);
  }
  const seen = new Set<UrlProtocol>();
  for (const service of services) {
    if (seen.has(service.protocol)) report(root.line, 'warning', `more than one ${service.protocol} section: only the first is used`);
    seen.add(service.protocol);
  }
  return services;
}

function readUrlService(el: XmlElement, protocol: UrlProtocol, source: Provenance, report: Report): UrlService[] {
  const label = `<${el.name} type=${quoteValue(el.attrs.type)}>`;
  const urlEl = firstChild(el, 'url');
  let ok = true;
  if (!urlEl || urlEl.text === '') {
    report(el.line, 'error', `${label} has no <url>`);
    ok = false;
  } else if (!httpsUrl(urlEl.text)) {
    report(urlEl.line, 'error', `${label} <url> ${quoteValue(urlEl.text)} is not an https URL`);
    ok = false;
  } else {
    for (const broken of brokenPlaceholders(urlEl.text)) report(urlEl.line, 'error', `broken placeholder ${quoteValue(broken)} in <url>`);
  }
  for (const name of ['hostname', 'port', 'socketType']) {
    const stray = firstChild(el, name);
    if (stray) report(stray.line, 'warning', `<${name}> in ${label} is ignored: URL-based services use <url> only`);
  }
  const userEl = firstChild(el, 'username');
  const username = userEl?.text || '%EMAILADDRESS%';
  if (userEl) for (const broken of brokenPlaceholders(userEl.text)) report(userEl.line, 'error', `broken placeholder ${quoteValue(broken)} in <username>`);
  const auth: UrlAuthMethod[] = [];
  for (const authEl of childrenNamed(el, 'authentication')) {
    const method = urlAuthMethod(authEl, report);
    if (method === undefined) ok = false;
    else if (!auth.includes(method)) auth.push(method);
  }
  if (auth.length === 0 && ok) {
    report(el.line, 'error', `${label} has no <authentication> (e.g. <authentication system="http">Basic</authentication> or OAuth2)`);
    ok = false;
  }
  if (!ok) return [];
  return [{ protocol, url: urlEl!.text, auth, username, source }];
}

function urlAuthMethod(el: XmlElement, report: Report): UrlAuthMethod | undefined {
  const system = el.attrs.system;
  const value = el.text;
  if (system === undefined) {
    if (value === 'OAuth2') return 'OAuth2';
    if (value === 'password-cleartext') {
      report(el.line, 'warning', 'authentication "password-cleartext" of a URL service: Autoconfig 1.2 writes <authentication system="http">Basic</authentication>');
      return 'Basic';
    }
    report(el.line, 'error', `unknown URL-service authentication ${quoteValue(value)} (expected OAuth2, or system="http" with Basic or Digest)`);
    return undefined;
  }
  if (system !== 'http') {
    report(el.line, 'error', `authentication system=${quoteValue(system)} is not for URL services (use system="http")`);
    return undefined;
  }
  if (value === 'Bearer' || value === 'OAuth2') {
    report(el.line, 'error', `<authentication system="http">${value}</authentication> is not valid: write <authentication>OAuth2</authentication> without a system`);
    return undefined;
  }
  if ((URL_AUTH_METHODS as readonly string[]).includes(value)) return value as UrlAuthMethod;
  report(el.line, 'error', `unknown HTTP authentication ${quoteValue(value)} (expected Basic or Digest)`);
  return undefined;
}

/** RFC 4422 section 3.1: 1 to 20 upper-case letters, digits, hyphens or underscores. */
const SASL_NAME = /^[A-Z0-9_-]{1,20}$/;

/**
 * One `<authentication system="...">` of a mail server: a SASL mechanism name, or undefined after reporting why not.
 * The caller checks that a generic method follows (clients that do not know the mechanism need one).
 */
export function saslMechanism(el: XmlElement, report: Report): string | undefined {
  const system = el.attrs.system;
  if (system !== 'sasl') {
    report(el.line, 'error', `authentication system=${quoteValue(system)} is not for mail servers (use system="sasl" with a SASL mechanism name)`);
    return undefined;
  }
  if (!SASL_NAME.test(el.text)) {
    report(el.line, 'error', `${quoteValue(el.text)} is not a SASL mechanism name (upper-case letters, digits, "-" and "_", at most 20)`);
    return undefined;
  }
  return el.text;
}

/** `<clientID>` of `<oAuth2>`; a `<clientSecret>` is refused: a secret published to every client is no secret. */
export function readClientId(oauth: XmlElement, report: Report): string | undefined {
  for (const secret of childrenNamed(oauth, 'clientSecret')) {
    report(secret.line, 'error', '<clientSecret> must not be published: a public client has no secret (give only <clientID>, or rely on dynamic registration)');
  }
  const id = firstChild(oauth, 'clientID');
  if (!id) return undefined;
  if (id.text === '') {
    report(id.line, 'error', '<clientID> is empty');
    return undefined;
  }
  return id.text;
}

export interface ProviderExtensions {
  logos: Logo[];
  developerUrl?: string | undefined;
  contacts: string[];
}

const LOGO_TYPE = /^image\/[a-z0-9.+-]+$/;

/** `<logo url type width height>`, `<developer url>` and `<contact uri>` inside `<emailProvider>`. */
export function readExtensions(provider: XmlElement, report: Report): ProviderExtensions {
  const logos: Logo[] = [];
  for (const el of childrenNamed(provider, 'logo')) {
    const url = el.attrs.url?.trim() ?? '';
    const contentType = el.attrs.type?.trim().toLowerCase() ?? '';
    let ok = true;
    if (!httpsUrl(url)) {
      report(el.line, 'error', `<logo> url ${quoteValue(url)} is not an https URL`);
      ok = false;
    }
    if (!LOGO_TYPE.test(contentType)) {
      report(el.line, 'error', `<logo> type ${quoteValue(contentType)} is not an image media type (e.g. image/svg+xml, image/png)`);
      ok = false;
    }
    const size = (name: 'width' | 'height') => {
      const text = el.attrs[name];
      if (text === undefined) return undefined;
      if (/^[0-9]{1,5}$/.test(text) && Number(text) > 0) return Number(text);
      report(el.line, 'error', `<logo> ${name} ${quoteValue(text)} is not a number of pixels`);
      ok = false;
      return undefined;
    };
    const width = size('width');
    const height = size('height');
    if (contentType === 'image/svg+xml' && (width !== undefined || height !== undefined)) report(el.line, 'warning', '<logo> of type image/svg+xml needs no width or height');
    if (!ok) continue;
    const logo: Logo = { url, contentType };
    if (width !== undefined) logo.width = width;
    if (height !== undefined) logo.height = height;
    logos.push(logo);
  }
  let developerUrl: string | undefined;
  for (const el of childrenNamed(provider, 'developer')) {
    const url = el.attrs.url?.trim() ?? '';
    if (!isWebUrl(url)) report(el.line, 'error', `<developer> url ${quoteValue(url)} is not an http(s) URL`);
    else if (developerUrl === undefined) developerUrl = url;
    else report(el.line, 'warning', 'more than one <developer>: only the first is used');
  }
  const contacts: string[] = [];
  for (const el of childrenNamed(provider, 'contact')) {
    const uri = el.attrs.uri?.trim() ?? '';
    if (!/^(mailto|https?|tel|xmpp|sip):\S+$/i.test(uri)) report(el.line, 'error', `<contact> uri ${quoteValue(uri)} is not a mailto:, https:, tel:, xmpp: or sip: URI`);
    else contacts.push(uri);
  }
  return { logos, developerUrl, contacts };
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Lengths the drafts set for names (displayName at most 60, displayShortName at most 20). */
export function checkNameLengths(provider: XmlElement, report: Report): void {
  const name = firstChild(provider, 'displayName');
  if (name && [...name.text].length > 60) report(name.line, 'warning', `<displayName> has ${[...name.text].length} characters; Autoconfig 1.2 and PACC allow at most 60 (PACC answers shorten it)`);
  const short = firstChild(provider, 'displayShortName');
  if (short && [...short.text].length > 20) report(short.line, 'warning', `<displayShortName> has ${[...short.text].length} characters; Autoconfig 1.2 and PACC allow at most 20 (PACC answers leave it out)`);
}
