// Outlook Autodiscover: the POX request/response (2006a) and the V2 JSON pointer. Pure: no I/O, no clock.
import { AddressError, parseAddress, type EmailAddress } from '../settings/address.js';
import type { AuthMethod, MailConfig, Protocol, Security, ServerSettings } from '../settings/model.js';
import { compileTemplate, fillCompiled, type CompiledTemplate } from '../settings/placeholders.js';
import { preferredServers } from '../settings/preference.js';
import { quoteInput } from '../settings/quote.js';
import { escapeXml } from '../xml/escape.js';
import { parseXml, XmlError, type XmlElement } from '../xml/parse.js';

/** Outlook's own Content-Type for POX answers. */
export const AUTODISCOVER_CONTENT_TYPE = 'text/xml; charset=utf-8';
/** Largest POX request accepted (real requests are a few hundred bytes). */
export const POX_MAX_BYTES = 16 * 1024;

export const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
/** The only response schema served: Outlook's, which carries IMAP/POP3/SMTP settings. */
export const OUTLOOK_RESPONSE_SCHEMA = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';
export const OUTLOOK_REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006';

export type PoxErrorCode = 500 | 501 | 600 | 601 | 602 | 603;

const ERROR_MESSAGES: Record<PoxErrorCode, string> = {
  500: 'The e-mail address cannot be found.',
  501: 'No configuration is available for this e-mail address.',
  600: 'Invalid Request',
  601: 'The requested schema is not available.',
  602: 'The configuration for this e-mail address has errors.',
  603: 'Internal server error.',
};

/** A POX request as understood, or why it cannot be answered (as an Autodiscover error code). */
export type PoxRequest =
  | { ok: true; address: EmailAddress; via: 'EMailAddress' | 'LegacyDN' }
  | { ok: false; code: 500 | 600 | 601; reason: string };

/**
 * Reads a POX request body. Namespace prefixes (`<a:EMailAddress>`) are accepted; DOCTYPE, entities, oversized or
 * malformed bodies are invalid (600); any schema but Outlook's 2006a is refused (601) so that, say, a mobilesync
 * client never receives IMAP settings it would misread.
 */
export function parsePoxRequest(body: string): PoxRequest {
  let root: XmlElement;
  try {
    root = parseXml(body, { maxBytes: POX_MAX_BYTES });
  } catch (error) {
    if (error instanceof XmlError) return { ok: false, code: 600, reason: `the request is not acceptable XML: ${error.message} (line ${error.line})` };
    throw error;
  }
  // The name is quoted, never written as a tag: a root named `script` must not come back as `<script>`.
  if (root.localName !== 'Autodiscover') return { ok: false, code: 600, reason: `the root element is ${quoteInput(root.name, 'another element')}, expected <Autodiscover>` };
  const request = child(root, 'Request');
  if (!request) return { ok: false, code: 600, reason: 'the request has no <Request> element' };

  // A value is the element's text alone: text around a child element (`alice<x/>@example.org`) is not spliced together.
  const mixed = ['AcceptableResponseSchema', 'EMailAddress', 'LegacyDN'].find((name) => (child(request, name)?.children.length ?? 0) > 0);
  if (mixed) return { ok: false, code: 600, reason: `<${mixed}> holds elements; it must hold only text` };

  const schema = child(request, 'AcceptableResponseSchema')?.text;
  if (schema !== undefined && schema !== '') {
    if (schema.toLowerCase() !== OUTLOOK_RESPONSE_SCHEMA) return { ok: false, code: 601, reason: `response schema ${quoteInput(schema, 'asked for', 200)} is not served (only ${OUTLOOK_RESPONSE_SCHEMA})` };
  } else {
    // No schema named: fine for an Outlook request, but a request in another schema's namespace wants other data.
    const ns = namespaceOf(root);
    if (ns !== undefined && ns.toLowerCase() !== OUTLOOK_REQUEST_NS) return { ok: false, code: 601, reason: `request schema ${quoteInput(ns, 'asked for', 200)} is not served` };
  }

  const email = child(request, 'EMailAddress')?.text;
  if (email !== undefined && email !== '') {
    try {
      return { ok: true, address: parseAddress(email), via: 'EMailAddress' };
    } catch (error) {
      if (error instanceof AddressError) return { ok: false, code: 600, reason: `<EMailAddress> is not an e-mail address: ${error.message}` };
      throw error;
    }
  }
  const legacyDN = child(request, 'LegacyDN')?.text;
  if (legacyDN !== undefined && legacyDN !== '') {
    const address = addressFromLegacyDN(legacyDN);
    if (address) return { ok: true, address, via: 'LegacyDN' };
    return { ok: false, code: 500, reason: 'the <LegacyDN> names no e-mail address; send <EMailAddress>' };
  }
  return { ok: false, code: 600, reason: 'the request has neither <EMailAddress> nor <LegacyDN>' };
}

/**
 * A LegacyDN is an Exchange directory name (`/o=Org/ou=.../cn=Recipients/cn=alice`) that only Exchange can resolve.
 * Some clients put the SMTP address there, whole or as the last `cn=`; those are used, anything else is unknown.
 */
export function addressFromLegacyDN(dn: string): EmailAddress | undefined {
  // Only the last cn= of a DN: `/` and `=` are legal in a local part, so the whole DN would pass for an address.
  const candidate = dn.startsWith('/') ? /\/cn=([^/]*)$/i.exec(dn)?.[1] : dn;
  if (candidate === undefined || !candidate.includes('@')) return undefined;
  try {
    return parseAddress(candidate);
  } catch (error) {
    if (error instanceof AddressError) return undefined;
    throw error;
  }
}

function child(element: XmlElement, localName: string): XmlElement | undefined {
  // Element names are case-sensitive in XML, but clients vary (EMailAddress, EmailAddress): be lenient.
  const wanted = localName.toLowerCase();
  return element.children.find((c) => c.localName.toLowerCase() === wanted);
}

function namespaceOf(element: XmlElement): string | undefined {
  const prefix = element.name.includes(':') ? element.name.slice(0, element.name.indexOf(':')) : undefined;
  return prefix === undefined ? element.attrs.xmlns : element.attrs[`xmlns:${prefix}`];
}

export interface PoxResponseOptions {
  /** The person's name (User/DisplayName); Outlook offers it as the sender name. Left out when unknown. */
  displayName?: string;
  /** Hours the settings stay valid (Protocol/TTL); Outlook assumes 1 when absent. */
  ttlHours?: number;
}

const TYPE: Record<Protocol, string> = { imap: 'IMAP', pop3: 'POP3', smtp: 'SMTP' };

// `Encryption` overrides `SSL` in Outlook (where TLS means STARTTLS); Thunderbird reads `SSL` first (off = plain).
// This pairing is the one both read correctly (see formats.md): never `TLS` for implicit TLS, never `SSL off` + TLS.
const ENCRYPTION: Record<Security, { ssl: 'on' | 'off'; encryption: 'SSL' | 'TLS' | 'None' }> = {
  tls: { ssl: 'on', encryption: 'SSL' },
  starttls: { ssl: 'on', encryption: 'TLS' },
  none: { ssl: 'off', encryption: 'None' },
};

/** Methods that take no user credentials: a server offering only these must not be sent AuthRequired on. */
const NO_CREDENTIALS: ReadonlySet<AuthMethod> = new Set<AuthMethod>(['none', 'client-IP-address', 'smtp-after-pop']);

/** The servers a POX answer carries, in its order: the best IMAP, the best POP3, the best SMTP (templates unfilled). */
export function poxServers(config: MailConfig): ServerSettings[] {
  const best = preferredServers(config);
  return [best.imap, best.pop3, best.outgoing].filter((s): s is ServerSettings => s !== undefined);
}

// The Protocol elements depend only on the config and the TTL; rendered once, then filled per address.
const accounts = new WeakMap<MailConfig, Map<number | undefined, CompiledTemplate>>();

function accountTemplate(config: MailConfig, ttlHours: number | undefined): CompiledTemplate {
  let byTtl = accounts.get(config);
  if (!byTtl) accounts.set(config, (byTtl = new Map()));
  let xml = byTtl.get(ttlHours);
  if (xml === undefined) {
    xml = compileTemplate(poxServers(config).flatMap((server) => renderProtocol(server, ttlHours)).join('\n'));
    byTtl.set(ttlHours, xml);
  }
  return xml;
}

/** Renders the 2006a settings answer for `address`. The response namespace is fixed, never taken from the request. */
export function renderPoxResponse(config: MailConfig, address: EmailAddress, options: PoxResponseOptions = {}): string {
  const out = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${RESPONSE_NS}">`,
    `  <Response xmlns="${OUTLOOK_RESPONSE_SCHEMA}">`,
  ];
  if (options.displayName) out.push('    <User>', `      <DisplayName>${escapeXml(options.displayName)}</DisplayName>`, '    </User>');
  out.push('    <Account>', '      <AccountType>email</AccountType>', '      <Action>settings</Action>');
  out.push(fillCompiled(accountTemplate(config, options.ttlHours), address, escapeXml));
  out.push('    </Account>', '  </Response>', '</Autodiscover>', '');
  return out.join('\n');
}

function renderProtocol(server: ServerSettings, ttlHours: number | undefined): string[] {
  const { ssl, encryption } = ENCRYPTION[server.security];
  const authRequired = !server.auth.every((method) => NO_CREDENTIALS.has(method));
  // Outlook turns SPA (NTLM) on when the element is absent; only a server that does nothing but NTLM gets it.
  const spa = server.auth.length > 0 && server.auth.every((method) => method === 'NTLM');
  const el = (name: string, value: string | number) => `        <${name}>${escapeXml(value)}</${name}>`;
  const onOff = (value: boolean) => (value ? 'on' : 'off');
  const out = ['      <Protocol>', el('Type', TYPE[server.protocol])];
  if (ttlHours !== undefined) out.push(el('TTL', ttlHours));
  out.push(el('Server', server.host), el('Port', server.port), el('DomainRequired', 'off'));
  // An empty LoginName would be read as "no user name"; leave it out when the source has none.
  if (server.username !== '') out.push(el('LoginName', server.username));
  out.push(el('SPA', onOff(spa)), el('SSL', ssl), el('Encryption', encryption), el('AuthRequired', onOff(authRequired)));
  if (server.protocol === 'smtp') {
    // Same credentials as the incoming server; SMTPLast (receive before sending) only for SMTP-after-POP servers.
    out.push(el('UsePOPAuth', onOff(authRequired)), el('SMTPLast', onOff(!authRequired && server.auth.includes('smtp-after-pop'))));
  }
  out.push('      </Protocol>');
  return out;
}

export interface PoxErrorOptions {
  /** When the error happened; rendered as Exchange does (time of day, UTC, 7 fraction digits). */
  time: Date;
  /** Identifies the answer; the request id, so a report can be matched with the log line. */
  id: string;
  /** Why, in words (escaped). Never an exception's text or stack. */
  debugData?: string | undefined;
}

/** Renders the Autodiscover error document. */
export function renderPoxError(code: PoxErrorCode, options: PoxErrorOptions): string {
  const debug = options.debugData ? `<DebugData>${escapeXml(options.debugData)}</DebugData>` : '<DebugData/>';
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${RESPONSE_NS}">`,
    '  <Response>',
    `    <Error Time="${formatErrorTime(options.time)}" Id="${escapeXml(options.id)}">`,
    `      <ErrorCode>${code}</ErrorCode>`,
    `      <Message>${escapeXml(ERROR_MESSAGES[code])}</Message>`,
    `      ${debug}`,
    '    </Error>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}

/** `hh:mm:ss.fffffff` in UTC, the form Exchange uses in the Error's Time attribute. */
export function formatErrorTime(time: Date): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(time.getUTCHours(), 2)}:${pad(time.getUTCMinutes(), 2)}:${pad(time.getUTCSeconds(), 2)}.${pad(time.getUTCMilliseconds() * 10000, 7)}`;
}

/** The one V2 protocol served: it points Outlook to this service's POX URL. */
export const V2_PROTOCOL = 'AutodiscoverV1';

/** Outlook 2019 sends `Autodiscoverv1`: the protocol name matches in any case. */
export function isV2Protocol(protocol: string | undefined): boolean {
  return protocol?.toLowerCase() === V2_PROTOCOL.toLowerCase();
}

/** The V2 answer: where the POX endpoint is. `baseUrl` has no trailing slash. */
export function renderV2Pointer(baseUrl: string): string {
  return JSON.stringify({ Protocol: V2_PROTOCOL, Url: `${baseUrl}/autodiscover/autodiscover.xml` });
}

/** The V2 error body (sent with HTTP 400), in the shape Microsoft's service uses. */
export function renderV2Error(errorCode: 'InvalidProtocol' | 'InvalidUser', message: string): string {
  return JSON.stringify({ ErrorCode: errorCode, ErrorMessage: message });
}
