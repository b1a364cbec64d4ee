import type { EmailAddress } from '../settings/address.js';
import { compileTemplate, fillCompiled, type CompiledTemplate } from '../settings/placeholders.js';
import { usesAutoconfig12, type LocalizedText, type MailConfig, type ServerSettings, type UrlProtocol, type UrlService } from '../settings/model.js';
import { SECURITY_MODES } from '../settings/security.js';
import { escapeXml } from '../xml/escape.js';

export const THUNDERBIRD_CONTENT_TYPE = 'application/xml; charset=utf-8';

// The placeholder form of a config never changes, so it is rendered once per config object.
const rendered = new WeakMap<MailConfig, { text: string; compiled: CompiledTemplate }>();

/** Where each URL service goes: JMAP is an incoming server, the others are sections beside <emailProvider>. */
const URL_SECTION: Record<UrlProtocol, { tag: string; type: string }> = {
  jmap: { tag: 'incomingServer', type: 'jmap' },
  caldav: { tag: 'calendar', type: 'caldav' },
  carddav: { tag: 'addressbook', type: 'carddav' },
  webdav: { tag: 'fileShare', type: 'webdav' },
};

/**
 * Renders a config as Thunderbird clientConfig XML: version 1.1 as the ISPDB has it, and version 1.2 with its new
 * sections only when the provider has any (today's clients skip what they do not know: see standards.md). With an address, the address placeholders are filled in
 * (escaped); without one they stay for the client, as in the ISPDB.
 */
export function renderClientConfig(config: MailConfig, address?: EmailAddress): string {
  let template = rendered.get(config);
  if (template === undefined) {
    const text = renderTemplate(config);
    template = { text, compiled: compileTemplate(text) };
    rendered.set(config, template);
  }
  return address ? fillCompiled(template.compiled, address, escapeXml) : template.text;
}

function renderTemplate(config: MailConfig): string {
  const version = usesAutoconfig12(config) ? '1.2' : '1.1';
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', `<clientConfig version="${version}">`, `  <emailProvider id="${escapeXml(config.id)}">`];
  const services = config.services ?? [];
  for (const domain of config.domains) out.push(`    <domain>${escapeXml(domain)}</domain>`);
  for (const domain of config.mxDomains) out.push(`    <domain purpose="mx">${escapeXml(domain)}</domain>`);
  if (config.displayName) out.push(`    <displayName>${escapeXml(config.displayName)}</displayName>`);
  if (config.displayShortName) out.push(`    <displayShortName>${escapeXml(config.displayShortName)}</displayShortName>`);
  for (const server of config.servers) out.push(...renderServer(server));
  // After the mail servers: a client that does not know JMAP skips it and still finds IMAP first.
  for (const service of services.filter((s) => s.protocol === 'jmap')) out.push(...renderUrlService(service, '    '));
  for (const doc of config.documentation) {
    out.push(`    <documentation url="${escapeXml(doc.url)}">`, ...texts('descr', doc.descriptions), '    </documentation>');
  }
  for (const enable of config.enable) {
    out.push(`    <enable visiturl="${escapeXml(enable.visitUrl)}">`, ...texts('instruction', enable.instructions), '    </enable>');
  }
  // This service's PACC facts (logo, developer and contact links): unknown elements, which every client skips.
  for (const logo of config.logos ?? []) {
    const size = `${logo.width !== undefined ? ` width="${logo.width}"` : ''}${logo.height !== undefined ? ` height="${logo.height}"` : ''}`;
    out.push(`    <logo url="${escapeXml(logo.url)}" type="${escapeXml(logo.contentType)}"${size}/>`);
  }
  if (config.developerUrl) out.push(`    <developer url="${escapeXml(config.developerUrl)}"/>`);
  for (const uri of config.contacts ?? []) out.push(`    <contact uri="${escapeXml(uri)}"/>`);
  out.push('  </emailProvider>');
  if (config.webmailUrl) out.push('  <webMail>', `    <loginPage url="${escapeXml(config.webmailUrl)}"/>`, '  </webMail>');
  if (config.oauth2) {
    const o = config.oauth2;
    // A source that knows only the issuer (PACC) leaves the rest empty: empty elements are left out, not written.
    out.push('  <oAuth2>', `    <issuer>${escapeXml(o.issuer)}</issuer>`);
    if (o.scope !== '') out.push(`    <scope>${escapeXml(o.scope)}</scope>`);
    if (o.authURL !== '') out.push(`    <authURL>${escapeXml(o.authURL)}</authURL>`);
    if (o.tokenURL !== '') out.push(`    <tokenURL>${escapeXml(o.tokenURL)}</tokenURL>`);
    if (o.clientId !== undefined) out.push(`    <clientID>${escapeXml(o.clientId)}</clientID>`);
    out.push('  </oAuth2>');
  }
  for (const service of services.filter((s) => s.protocol !== 'jmap')) out.push(...renderUrlService(service, '  '));
  out.push('</clientConfig>', '');
  return out.join('\n');
}

function renderServer(server: ServerSettings): string[] {
  const tag = server.protocol === 'smtp' ? 'outgoingServer' : 'incomingServer';
  const out = [
    `    <${tag} type="${server.protocol}">`,
    `      <hostname>${escapeXml(server.host)}</hostname>`,
    `      <port>${server.port}</port>`,
    `      <socketType>${SECURITY_MODES[server.security].socketType}</socketType>`,
    `      <username>${escapeXml(server.username)}</username>`,
    // SASL mechanisms first, the generic methods after them as the fallback (clients skip values they do not know).
    ...(server.sasl ?? []).map((mechanism) => `      <authentication system="sasl">${escapeXml(mechanism)}</authentication>`),
    ...server.auth.map((method) => `      <authentication>${escapeXml(method)}</authentication>`),
  ];
  const pop3 = server.pop3;
  if (pop3 && Object.keys(pop3).length > 0) {
    out.push('      <pop3>');
    if (pop3.leaveMessagesOnServer !== undefined) out.push(`        <leaveMessagesOnServer>${pop3.leaveMessagesOnServer}</leaveMessagesOnServer>`);
    if (pop3.downloadOnBiff !== undefined) out.push(`        <downloadOnBiff>${pop3.downloadOnBiff}</downloadOnBiff>`);
    if (pop3.daysToLeaveMessagesOnServer !== undefined) out.push(`        <daysToLeaveMessagesOnServer>${pop3.daysToLeaveMessagesOnServer}</daysToLeaveMessagesOnServer>`);
    if (pop3.checkIntervalMinutes !== undefined) out.push(`        <checkInterval minutes="${pop3.checkIntervalMinutes}"/>`);
    out.push('      </pop3>');
  }
  const smtp = server.smtp;
  if (smtp?.addThisServer !== undefined) out.push(`      <addThisServer>${smtp.addThisServer}</addThisServer>`);
  if (smtp?.useGlobalPreferredServer !== undefined) out.push(`      <useGlobalPreferredServer>${smtp.useGlobalPreferredServer}</useGlobalPreferredServer>`);
  if (smtp?.restriction !== undefined) out.push(`      <restriction>${escapeXml(smtp.restriction)}</restriction>`);
  out.push(`    </${tag}>`);
  return out;
}

function renderUrlService(service: UrlService, indent: string): string[] {
  const { tag, type } = URL_SECTION[service.protocol];
  return [
    `${indent}<${tag} type="${type}">`,
    `${indent}  <url>${escapeXml(service.url)}</url>`,
    `${indent}  <username>${escapeXml(service.username)}</username>`,
    ...service.auth.map((method) => (method === 'OAuth2' ? `${indent}  <authentication>OAuth2</authentication>` : `${indent}  <authentication system="http">${escapeXml(method)}</authentication>`)),
    `${indent}</${tag}>`,
  ];
}

function texts(tag: string, items: LocalizedText[]): string[] {
  return items.map((item) => `      <${tag}${item.lang ? ` lang="${escapeXml(item.lang)}"` : ''}>${escapeXml(item.text)}</${tag}>`);
}
