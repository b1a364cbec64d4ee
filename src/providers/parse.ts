import { AddressError, parseDomain } from '../settings/address.js';
import { AUTH_METHODS, INCOMING_PROTOCOLS, PROTOCOLS, usesAutoconfig12, type AuthMethod, type Documentation, type EnableInstructions, type LocalizedText, type MailConfig, type OAuth2Settings, type Pop3Options, type Protocol, type Provenance, type Security, type ServerSettings, type SmtpOptions } from '../settings/model.js';
import { brokenPlaceholders, lowerCaseHost } from '../settings/placeholders.js';
import { childrenNamed, firstChild, parseXml, XmlError, type XmlElement } from '../xml/parse.js';
import { securityFromSocketType, socketTypesText } from '../settings/security.js';
import { quoteValue } from '../settings/quote.js';
import { checkNameLengths, readClientId, readExtensions, readUrlServices, saslMechanism } from './autoconfig12.js';

export type Severity = 'error' | 'warning';

export interface Problem {
  file: string;
  line: number;
  severity: Severity;
  message: string;
}

export interface ParseResult {
  /** Present unless an error makes the file unusable. */
  config?: MailConfig;
  problems: Problem[];
  /** Line of each <domain> (address and MX domains), for problems found across files. */
  domainLines: DomainLines;
}

/**
 * The line of each <domain> of a file, kept beside the domain lists rather than in a map of its own: every served
 * provider holds one, and it is read only when a problem is reported.
 */
export class DomainLines {
  constructor(
    private readonly domains: readonly string[],
    private readonly mxDomains: readonly string[],
    /** Lines of `domains`, then of `mxDomains`. */
    private readonly lines: readonly number[],
  ) {}

  /** The line of `domain`; a domain listed both ways has the later line. */
  get(domain: string): number | undefined {
    const asAddress = this.domains.indexOf(domain);
    const asMx = this.mxDomains.indexOf(domain);
    const address = asAddress === -1 ? undefined : this.lines[asAddress];
    const mx = asMx === -1 ? undefined : this.lines[this.domains.length + asMx];
    return address === undefined ? mx : mx === undefined ? address : Math.max(address, mx);
  }
}

const NO_LINES = new DomainLines([], [], []);

export interface ParseOptions {
  /** Name used in problems and provenance (a file name or URL). */
  file: string;
  source?: Provenance;
  maxBytes?: number;
}

/** Deprecated spellings still found in the wild, mapped to their current names. */
const LEGACY_AUTH: Record<string, AuthMethod> = { plain: 'password-cleartext', secure: 'password-encrypted' };
/** Server types of clientConfig that this service does not serve (Exchange-family); skipped without complaint. */
const OTHER_SERVER_TYPES = new Set(['exchange', 'ews', 'owa', 'graph']);
/** Incoming types that are not IMAP or POP3 but make a file complete on their own (JMAP is read as a URL service). */
const NON_MAIL_INCOMING = new Set([...OTHER_SERVER_TYPES, 'jmap']);

// The elements clientConfig 1.1 (and the draft 1.2 additions) defines, per parent.
const KNOWN_CHILDREN: Record<string, readonly string[]> = {
  clientConfig: ['emailProvider', 'webMail', 'oAuth2', 'clientConfigUpdate', 'addressBook', 'addressbook', 'calendar', 'fileShare', 'enable'],
  emailProvider: ['domain', 'displayName', 'displayShortName', 'incomingServer', 'outgoingServer', 'documentation', 'enable', 'identity', 'inputField', 'addressBook', 'calendar', 'logo', 'developer', 'contact'],
  incomingServer: ['hostname', 'port', 'socketType', 'username', 'password', 'authentication', 'pop3', 'useGlobalPreferredServer', 'owaURL', 'ewsURL', 'easURL', 'url'],
  outgoingServer: ['hostname', 'port', 'socketType', 'username', 'password', 'authentication', 'addThisServer', 'useGlobalPreferredServer', 'restriction'],
  pop3: ['leaveMessagesOnServer', 'downloadOnBiff', 'daysToLeaveMessagesOnServer', 'checkInterval'],
  documentation: ['descr'],
  enable: ['instruction'],
  webMail: ['loginPage', 'loginPageInfo'],
  loginPageInfo: ['username', 'usernameField', 'passwordField', 'loginButton'],
  oAuth2: ['issuer', 'scope', 'authURL', 'tokenURL', 'clientID', 'clientSecret'],
  addressBook: ['username', 'authentication', 'serverURL'],
  addressbook: ['url', 'username', 'authentication'],
  calendar: ['url', 'username', 'authentication', 'serverURL'],
  fileShare: ['url', 'username', 'authentication'],
};
const SUGGESTIONS: Record<string, string> = { displayNameShort: 'displayShortName', hostName: 'hostname', sockettype: 'socketType', instruction: 'documentation' };

/** Parses one provider file (Thunderbird clientConfig XML) and reports every problem with its line. */
export function parseProvider(text: string, options: ParseOptions): ParseResult {
  const problems: Problem[] = [];
  const report = (line: number, severity: Severity, message: string) => problems.push({ file: options.file, line, severity, message });
  let root: XmlElement;
  try {
    root = parseXml(text, { maxBytes: options.maxBytes ?? 256 * 1024 });
  } catch (error) {
    if (error instanceof XmlError) report(error.line, 'error', `not well-formed XML: ${error.message}`);
    else throw error;
    return { problems, domainLines: NO_LINES };
  }
  if (root.name !== 'clientConfig') {
    report(root.line, 'error', `root element is ${quoteValue(root.name)}, expected <clientConfig>`);
    return { problems, domainLines: NO_LINES };
  }
  checkUnknownElements(root, report);
  const providers = childrenNamed(root, 'emailProvider');
  const provider = providers[0];
  if (!provider) {
    report(root.line, 'error', 'no <emailProvider> element');
    return { problems, domainLines: NO_LINES };
  }
  if (providers.length > 1) report(providers[1]!.line, 'error', 'more than one <emailProvider>; put each provider in its own file');

  const source = options.source ?? { kind: 'database', detail: options.file, confidence: 'high' };
  const id = provider.attrs.id?.trim() ?? '';
  if (id === '') report(provider.line, 'error', '<emailProvider> has no id attribute');

  const { domains, mxDomains, domainLines } = readDomains(provider, report);
  const servers = [
    ...childrenNamed(provider, 'incomingServer').map((el) => readServer(el, 'incoming', source, report)),
    ...childrenNamed(provider, 'outgoingServer').map((el) => readServer(el, 'outgoing', source, report)),
  ].filter((server): server is ServerSettings => server !== undefined);
  checkServerSet(provider, servers, report);
  const services = readUrlServices(root, provider, source, report);
  const extensions = readExtensions(provider, report);
  // The 1.2 length limits bind files that claim 1.2; 1.1 files are held to the rules they were written for.
  if (root.attrs.version === '1.2') checkNameLengths(provider, report);
  const oauth2 = readOAuth2(root, report);

  // Arrays are copied to their exact size, as readDomains does.
  const config: MailConfig = {
    id,
    domains,
    mxDomains,
    displayName: optionalText(provider, 'displayName'),
    displayShortName: optionalText(provider, 'displayShortName'),
    servers: servers.slice(),
    documentation: childrenNamed(provider, 'documentation').flatMap((el) => readDocumentation(el, report)).slice(),
    enable: [...childrenNamed(provider, 'enable'), ...misplacedEnable(root, report)].flatMap((el) => readEnable(el, report)).slice(),
    oauth2,
    webmailUrl: readWebmail(root),
    source,
  };
  if (services.length > 0) config.services = services;
  if (extensions.logos.length > 0) config.logos = extensions.logos;
  if (extensions.developerUrl) config.developerUrl = extensions.developerUrl;
  if (extensions.contacts.length > 0) config.contacts = extensions.contacts;
  checkVersion(root, config, report);
  const usable = !problems.some((p) => p.severity === 'error');
  return usable ? { config, problems, domainLines } : { problems, domainLines };
}

type Report = (line: number, severity: Severity, message: string) => void;

function checkUnknownElements(element: XmlElement, report: Report): void {
  const known = KNOWN_CHILDREN[element.name];
  for (const child of element.children) {
    if (known && !known.includes(child.name)) {
      const hint = SUGGESTIONS[child.name] ? ` (did you mean <${SUGGESTIONS[child.name]}>?)` : '';
      // Named, not written as a tag: an element called script must not come back as <script>.
      report(child.line, 'error', `unknown element ${quoteValue(child.name)} in <${element.name}>${hint}`);
      continue;
    }
    checkUnknownElements(child, report);
  }
}

function readDomains(provider: XmlElement, report: Report): { domains: string[]; mxDomains: string[]; domainLines: DomainLines } {
  const lines: number[] = [];
  const mxLines: number[] = [];
  const domains: string[] = [];
  const mxDomains: string[] = [];
  // Sets beside the lists: a provider with thousands of domains must not cost a scan of the list per domain.
  const seenDomains = new Set<string>();
  const seenMx = new Set<string>();
  for (const el of childrenNamed(provider, 'domain')) {
    const purpose = el.attrs.purpose;
    if (purpose !== undefined && purpose !== 'mx') {
      report(el.line, 'error', `unknown domain purpose ${quoteValue(purpose)} (only "mx" is defined)`);
      continue;
    }
    let domain: string;
    try {
      domain = parseDomain(el.text);
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      report(el.line, 'error', `invalid domain ${quoteValue(el.text)}: ${error.message}`);
      continue;
    }
    const list = purpose === 'mx' ? mxDomains : domains;
    const seen = purpose === 'mx' ? seenMx : seenDomains;
    if (seen.has(domain)) report(el.line, 'warning', `domain ${domain} is listed twice`);
    else {
      seen.add(domain);
      list.push(domain);
      (purpose === 'mx' ? mxLines : lines).push(el.line);
    }
  }
  if (domains.length === 0 && mxDomains.length === 0) report(provider.line, 'error', 'no <domain>: clients reject a provider without one');
  // Copies without the spare room push leaves (17 slots for one domain): a served provider lives as long as the process.
  const exactDomains = domains.slice();
  const exactMx = mxDomains.slice();
  return { domains: exactDomains, mxDomains: exactMx, domainLines: new DomainLines(exactDomains, exactMx, lines.concat(mxLines)) };
}

function readServer(el: XmlElement, direction: 'incoming' | 'outgoing', source: Provenance, report: Report): ServerSettings | undefined {
  const type = el.attrs.type ?? '';
  const allowed: readonly string[] = direction === 'incoming' ? INCOMING_PROTOCOLS : ['smtp'];
  if (!allowed.includes(type)) {
    // JMAP is read by readUrlServices; the Exchange family is not served.
    if (direction === 'incoming' && NON_MAIL_INCOMING.has(type)) return undefined;
    report(el.line, 'error', `unknown ${direction} server type ${quoteValue(type)} (expected ${allowed.join(' or ')})`);
    return undefined;
  }
  const protocol = type as Protocol;
  const hostEl = firstChild(el, 'hostname');
  const portEl = firstChild(el, 'port');
  const socketEl = firstChild(el, 'socketType');
  const userEl = firstChild(el, 'username');
  let ok = true;
  const missing = (name: string) => {
    report(el.line, 'error', `<${el.name} type=${quoteValue(type)}> has no <${name}>`);
    ok = false;
  };
  if (!hostEl || hostEl.text === '') missing('hostname');
  else if (!/^[A-Za-z0-9.%_-]+$/.test(hostEl.text)) {
    report(hostEl.line, 'error', `invalid hostname ${quoteValue(hostEl.text)}`);
    ok = false;
  }
  let port = 0;
  if (!portEl) missing('port');
  else {
    port = /^[0-9]+$/.test(portEl.text) ? Number(portEl.text) : NaN;
    if (!(port >= 1 && port <= 65535)) {
      report(portEl.line, 'error', `port ${quoteValue(portEl.text)} is not a number from 1 to 65535`);
      ok = false;
    }
  }
  let security: Security = 'none';
  if (!socketEl) missing('socketType');
  else {
    const named = securityFromSocketType(socketEl.text);
    if (named) security = named;
    else {
      report(socketEl.line, 'error', `unknown socketType ${quoteValue(socketEl.text)} (expected ${socketTypesText()})`);
      ok = false;
    }
  }
  const username = userEl?.text ?? '';
  if (userEl) {
    for (const broken of brokenPlaceholders(username)) report(userEl.line, 'error', `broken placeholder ${quoteValue(broken)} in <username> (expected e.g. %EMAILADDRESS%)`);
  }
  const sasl: string[] = [];
  const auth = readAuth(el, direction, report, sasl);
  if (!ok || auth === undefined) return undefined;
  const server: ServerSettings = { protocol, host: lowerCaseHost(hostEl!.text), port, security, auth: auth.slice(), username, source };
  if (sasl.length > 0) server.sasl = sasl.slice();
  const pop3 = firstChild(el, 'pop3');
  if (pop3 && protocol === 'pop3') server.pop3 = readPop3(pop3, report);
  if (protocol === 'smtp') {
    const smtp = readSmtpOptions(el, report);
    if (smtp) server.smtp = smtp;
  }
  return server;
}

function readAuth(el: XmlElement, direction: 'incoming' | 'outgoing', report: Report, sasl: string[]): AuthMethod[] | undefined {
  const methods: AuthMethod[] = [];
  let ok = true;
  for (const authEl of childrenNamed(el, 'authentication')) {
    const value = authEl.text;
    if (authEl.attrs.system !== undefined) {
      // Autoconfig 1.2: a SASL mechanism, tried before the generic methods.
      const mechanism = saslMechanism(authEl, report);
      if (mechanism === undefined) ok = false;
      else if (methods.length > 0) report(authEl.line, 'warning', `SASL mechanism ${mechanism} comes after a generic method: clients use the first one they know, list it first`);
      if (mechanism !== undefined && !sasl.includes(mechanism)) sasl.push(mechanism);
      continue;
    }
    const legacy = LEGACY_AUTH[value];
    if (legacy) {
      report(authEl.line, 'warning', `authentication ${quoteValue(value)} is deprecated; use ${quoteValue(legacy)}`);
      if (!methods.includes(legacy)) methods.push(legacy);
      continue;
    }
    const outgoingOnly = ['client-IP-address', 'smtp-after-pop', 'none'];
    if (!(AUTH_METHODS as readonly string[]).includes(value) || (direction === 'incoming' && outgoingOnly.includes(value))) {
      report(authEl.line, 'error', `unknown ${direction} authentication ${quoteValue(value)}`);
      ok = false;
      continue;
    }
    if (!methods.includes(value as AuthMethod)) methods.push(value as AuthMethod);
  }
  if (!ok) return undefined;
  if (methods.length === 0) {
    const why = sasl.length > 0 ? ' besides SASL mechanisms: add a generic method (e.g. password-encrypted) after them for clients that do not know them' : '';
    report(el.line, 'error', `<${el.name} type=${quoteValue(el.attrs.type)}> has no <authentication>${why}`);
    return undefined;
  }
  if (methods.length === 1 && methods[0] === 'OAuth2') {
    report(el.line, 'warning', `OAuth2 is the only authentication of the ${quoteValue(el.attrs.type)} server ${quoteValue(firstChild(el, 'hostname')?.text)}: clients that do not know the issuer skip this server`);
  }
  return methods;
}

function readBoolean(el: XmlElement, report: Report): boolean | undefined {
  if (el.text === 'true') return true;
  if (el.text === 'false') return false;
  report(el.line, 'error', `<${el.name}> must be true or false, not ${quoteValue(el.text)}`);
  return undefined;
}

function readCount(el: XmlElement, text: string, report: Report): number | undefined {
  if (/^[0-9]{1,6}$/.test(text)) return Number(text);
  report(el.line, 'error', `<${el.name}> must be a whole number, not ${quoteValue(text)}`);
  return undefined;
}

function readPop3(el: XmlElement, report: Report): Pop3Options {
  const options: Pop3Options = {};
  for (const child of el.children) {
    if (child.name === 'leaveMessagesOnServer') options.leaveMessagesOnServer = readBoolean(child, report);
    else if (child.name === 'downloadOnBiff') options.downloadOnBiff = readBoolean(child, report);
    else if (child.name === 'daysToLeaveMessagesOnServer') options.daysToLeaveMessagesOnServer = readCount(child, child.text, report);
    else if (child.name === 'checkInterval') options.checkIntervalMinutes = readCount(child, child.attrs.minutes ?? '', report);
  }
  return withoutUndefined(options);
}

function readSmtpOptions(el: XmlElement, report: Report): SmtpOptions | undefined {
  const options: SmtpOptions = {};
  const add = firstChild(el, 'addThisServer');
  const global = firstChild(el, 'useGlobalPreferredServer');
  const restriction = firstChild(el, 'restriction');
  if (add) options.addThisServer = readBoolean(add, report);
  if (global) options.useGlobalPreferredServer = readBoolean(global, report);
  if (restriction) options.restriction = restriction.text;
  const clean = withoutUndefined(options);
  return Object.keys(clean).length > 0 ? clean : undefined;
}

function readTexts(el: XmlElement, name: string): LocalizedText[] {
  return childrenNamed(el, name)
    .filter((child) => child.text !== '')
    .map((child) => (child.attrs.lang ? { lang: child.attrs.lang, text: child.text } : { text: child.text }));
}

function readDocumentation(el: XmlElement, report: Report): Documentation[] {
  const url = el.attrs.url?.trim() ?? '';
  if (!isWebUrl(url)) {
    report(el.line, 'error', `<documentation> url ${quoteValue(url)} is not an http(s) URL`);
    return [];
  }
  return [{ url, descriptions: readTexts(el, 'descr') }];
}

function readEnable(el: XmlElement, report: Report): EnableInstructions[] {
  const visitUrl = el.attrs.visiturl?.trim() ?? '';
  if (!isWebUrl(visitUrl)) {
    report(el.line, 'error', `<enable> visiturl ${quoteValue(visitUrl)} is not an http(s) URL`);
    return [];
  }
  return [{ visitUrl, instructions: readTexts(el, 'instruction') }];
}

/** Public data has <enable> beside <emailProvider>; Thunderbird ignores it there, so it is read and flagged. */
function misplacedEnable(root: XmlElement, report: Report): XmlElement[] {
  const misplaced = childrenNamed(root, 'enable');
  for (const el of misplaced) report(el.line, 'warning', '<enable> belongs inside <emailProvider> (clients ignore it here)');
  return misplaced;
}

function readOAuth2(root: XmlElement, report: Report): OAuth2Settings | undefined {
  const el = firstChild(root, 'oAuth2');
  if (!el) return undefined;
  const get = (name: string) => firstChild(el, name)?.text ?? '';
  const oauth: OAuth2Settings = { issuer: get('issuer'), scope: get('scope'), authURL: get('authURL'), tokenURL: get('tokenURL') };
  const clientId = readClientId(el, report);
  if (clientId !== undefined) oauth.clientId = clientId;
  return oauth;
}

/** A file using 1.2 elements should say so; clients must not reject it either way, so this is a warning. */
function checkVersion(root: XmlElement, config: MailConfig, report: Report): void {
  const version = root.attrs.version;
  if (usesAutoconfig12(config) && version !== '1.2') report(root.line, 'warning', `uses Autoconfig 1.2 elements but says version=${quoteValue(version ?? '')}: declare <clientConfig version="1.2">`);
}

function readWebmail(root: XmlElement): string | undefined {
  const url = firstChild(firstChild(root, 'webMail') ?? root, 'loginPage')?.attrs.url;
  return url && isWebUrl(url) ? url : undefined;
}

function checkServerSet(provider: XmlElement, servers: ServerSettings[], report: Report): void {
  const incoming = servers.filter((s) => s.protocol !== 'smtp');
  if (incoming.length === 0 && childrenNamed(provider, 'incomingServer').every((el) => !NON_MAIL_INCOMING.has(el.attrs.type ?? ''))) {
    report(provider.line, 'error', 'no IMAP or POP3 <incomingServer>');
  }
  for (const protocol of PROTOCOLS) {
    const of = servers.filter((s) => s.protocol === protocol);
    if (of.length > 0 && of.every((s) => s.security === 'none')) {
      report(provider.line, 'warning', `${protocol.toUpperCase()} is offered only without encryption (plaintext)`);
    }
  }
}

function optionalText(el: XmlElement, name: string): string | undefined {
  const text = firstChild(el, name)?.text;
  return text ? text : undefined;
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** The object without its undefined fields (optional option blocks stay minimal in the model and its JSON). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
