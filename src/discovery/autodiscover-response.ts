// Reads an Outlook Autodiscover answer (the 2006a "outlook" response schema) as mail settings: IMAP, POP3 and SMTP
// protocol sections, or a redirect to another address or URL. Untrusted input: parsed with the strict XML reader
// (no DOCTYPE, size and depth caps). Exchange-only sections (EXCH, EXPR, WEB) and mobilesync answers carry no mail
// settings and are ignored. Pure: no network.
import type { Protocol, Security } from '../settings/model.js';
import { childrenNamed, firstChild, parseXml, type XmlElement } from '../xml/parse.js';

export interface AutodiscoverServer {
  protocol: Protocol;
  host: string;
  port: number;
  security: Security;
  /** `LoginName`, as given (the caller restores placeholders). */
  loginName?: string;
  /** `DomainRequired` on: the server wants `DOMAIN\user`. */
  domainRequired: boolean;
  /** `SPA` on: Secure Password Authentication, that is NTLM. */
  spa: boolean;
}

export type AutodiscoverAnswer =
  | { kind: 'settings'; servers: AutodiscoverServer[]; ignored: string[] }
  | { kind: 'redirectAddr'; address: string }
  | { kind: 'redirectUrl'; url: string }
  /** No mail settings: an `<Error>` answer, a mobilesync answer, an account of another type. */
  | { kind: 'none'; why: string };

const TYPES: Record<string, Protocol> = { IMAP: 'imap', POP3: 'pop3', SMTP: 'smtp' };
/** Ports that mean implicit TLS when the answer says only `SSL on`. */
const IMPLICIT_TLS_PORTS: ReadonlySet<number> = new Set([993, 995, 465]);
const DEFAULT_PORTS: Record<Protocol, Record<'tls' | 'starttls' | 'none', number>> = {
  imap: { tls: 993, starttls: 143, none: 143 },
  pop3: { tls: 995, starttls: 110, none: 110 },
  smtp: { tls: 465, starttls: 587, none: 587 },
};
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/** Throws XmlError (MAILCONFIG_XML_INVALID) for a document that is not XML we accept. */
export function parseAutodiscover(body: string, maxBytes: number): AutodiscoverAnswer {
  const root = parseXml(body, { maxBytes });
  if (root.localName !== 'Autodiscover') return { kind: 'none', why: `the answer is <${root.name}>, not <Autodiscover>` };
  const response = firstChild(root, 'Response');
  if (!response) return { kind: 'none', why: 'the answer has no <Response>' };
  const error = firstChild(response, 'Error');
  if (error) {
    const code = text(error, 'ErrorCode');
    const message = text(error, 'Message');
    return { kind: 'none', why: `the server answered with an error${code ? ` ${code}` : ''}${message ? `: ${message.slice(0, 120)}` : ''}` };
  }
  if (/mobilesync/i.test(response.attrs.xmlns ?? '')) return { kind: 'none', why: 'a mobilesync (Exchange ActiveSync) answer: no mail settings' };
  const account = firstChild(response, 'Account');
  if (!account) return { kind: 'none', why: 'the answer has no <Account>' };
  const type = text(account, 'AccountType').toLowerCase();
  if (type !== '' && type !== 'email') return { kind: 'none', why: `account type "${type.slice(0, 40)}" is not mail` };
  const action = text(account, 'Action').toLowerCase();
  if (action === 'redirectaddr') {
    const address = text(account, 'RedirectAddr');
    return address ? { kind: 'redirectAddr', address } : { kind: 'none', why: 'redirectAddr without an address' };
  }
  if (action === 'redirecturl') {
    const url = text(account, 'RedirectUrl');
    return url ? { kind: 'redirectUrl', url } : { kind: 'none', why: 'redirectUrl without a URL' };
  }
  const servers: AutodiscoverServer[] = [];
  const ignored: string[] = [];
  for (const section of childrenNamed(account, 'Protocol')) {
    const read = protocolSection(section);
    if (typeof read === 'string') ignored.push(read);
    else servers.push(read);
  }
  return { kind: 'settings', servers, ignored };
}

/** One `<Protocol>`: the server, or why it is not used. */
function protocolSection(section: XmlElement): AutodiscoverServer | string {
  const rawType = text(section, 'Type');
  const protocol = TYPES[rawType.toUpperCase()];
  if (!protocol) return `${rawType.slice(0, 20) || 'untyped'} section ignored (not IMAP, POP3 or SMTP)`;
  const host = text(section, 'Server').toLowerCase().replace(/\.$/, '');
  if (!HOST.test(host)) return `${rawType} section ignored: "${host.slice(0, 60)}" is not a host name`;
  const portText = text(section, 'Port');
  const port = portText === '' ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) return `${rawType} section ignored: port "${portText.slice(0, 10)}" is not a port number`;
  const security = securityOf(text(section, 'Encryption'), text(section, 'SSL'), port);
  const loginName = text(section, 'LoginName');
  return {
    protocol,
    host,
    port: port ?? DEFAULT_PORTS[protocol][security],
    security,
    ...(loginName !== '' ? { loginName } : {}),
    domainRequired: on(text(section, 'DomainRequired')),
    spa: on(text(section, 'SPA')),
  };
}

/**
 * `Encryption` wins when present (SSL = implicit TLS, TLS = STARTTLS, None, Auto = by port); otherwise `SSL`
 * (on unless it says off), where "on" is implicit TLS on the implicit-TLS ports and STARTTLS elsewhere.
 */
function securityOf(encryption: string, ssl: string, port: number | undefined): Security {
  const byPort: Security = port === undefined || IMPLICIT_TLS_PORTS.has(port) ? 'tls' : 'starttls';
  switch (encryption.toLowerCase()) {
    case 'ssl':
      return 'tls';
    case 'tls':
      return 'starttls';
    case 'none':
      return 'none';
    case 'auto':
      return byPort;
    default:
      return ssl.toLowerCase() === 'off' ? 'none' : byPort;
  }
}

function text(element: XmlElement, name: string): string {
  return firstChild(element, name)?.text.trim() ?? '';
}

function on(value: string): boolean {
  return value.toLowerCase() === 'on';
}
