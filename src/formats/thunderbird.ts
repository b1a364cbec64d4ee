import type { EmailAddress } from '../settings/address.js';
import { compileTemplate, fillCompiled, type CompiledTemplate } from '../settings/placeholders.js';
import type { LocalizedText, MailConfig, ServerSettings } from '../settings/model.js';
import { SECURITY_MODES } from '../settings/security.js';
import { escapeXml } from '../xml/escape.js';

export const THUNDERBIRD_CONTENT_TYPE = 'application/xml; charset=utf-8';

// The placeholder form of a config never changes, so it is rendered once per config object.
const rendered = new WeakMap<MailConfig, { text: string; compiled: CompiledTemplate }>();

/**
 * Renders a config as Thunderbird clientConfig 1.1 XML. With an address, the address placeholders are filled in
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
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<clientConfig version="1.1">', `  <emailProvider id="${escapeXml(config.id)}">`];
  for (const domain of config.domains) out.push(`    <domain>${escapeXml(domain)}</domain>`);
  for (const domain of config.mxDomains) out.push(`    <domain purpose="mx">${escapeXml(domain)}</domain>`);
  if (config.displayName) out.push(`    <displayName>${escapeXml(config.displayName)}</displayName>`);
  if (config.displayShortName) out.push(`    <displayShortName>${escapeXml(config.displayShortName)}</displayShortName>`);
  for (const server of config.servers) out.push(...renderServer(server));
  for (const doc of config.documentation) {
    out.push(`    <documentation url="${escapeXml(doc.url)}">`, ...texts('descr', doc.descriptions), '    </documentation>');
  }
  for (const enable of config.enable) {
    out.push(`    <enable visiturl="${escapeXml(enable.visitUrl)}">`, ...texts('instruction', enable.instructions), '    </enable>');
  }
  out.push('  </emailProvider>');
  if (config.webmailUrl) out.push('  <webMail>', `    <loginPage url="${escapeXml(config.webmailUrl)}"/>`, '  </webMail>');
  if (config.oauth2) {
    const o = config.oauth2;
    out.push('  <oAuth2>', `    <issuer>${escapeXml(o.issuer)}</issuer>`, `    <scope>${escapeXml(o.scope)}</scope>`);
    out.push(`    <authURL>${escapeXml(o.authURL)}</authURL>`, `    <tokenURL>${escapeXml(o.tokenURL)}</tokenURL>`, '  </oAuth2>');
  }
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

function texts(tag: string, items: LocalizedText[]): string[] {
  return items.map((item) => `      <${tag}${item.lang ? ` lang="${escapeXml(item.lang)}"` : ''}>${escapeXml(item.text)}</${tag}>`);
}
