import type { EmailAddress } from '../settings/address.js';
import type {
  AuthMethod,
  Documentation,
  EnableInstructions,
  MailConfig,
  OAuth2Settings,
  Pop3Options,
  Protocol,
  Provenance,
  Security,
  ServerSettings,
  SmtpOptions,
} from '../settings/model.js';
import { personalize } from '../settings/placeholders.js';
import { rankServers } from '../settings/preference.js';
import type { LookupStep } from '../settings/resolver.js';

// The JSON API's answer: the settings model for one address, servers in preference order. Documented in
// src/http/openapi.ts; change both together.

export interface SettingsAddress {
  /** The address with the ASCII (punycode) domain: what goes into user names and mail headers. */
  email: string;
  /** The same address with the Unicode domain, for people. */
  emailUnicode: string;
  localPart: string;
  domain: string;
  domainUnicode: string;
}

export interface SettingsServer {
  protocol: Protocol;
  host: string;
  port: number;
  security: Security;
  auth: AuthMethod[];
  username: string;
  source: Provenance;
  warnings: string[];
  pop3?: Pop3Options;
  smtp?: SmtpOptions;
}

export interface SettingsProvider {
  id: string;
  displayName: string;
  displayShortName?: string;
  documentation: Documentation[];
  enable: EnableInstructions[];
  webmailUrl?: string;
  oauth2?: OAuth2Settings;
  source: Provenance;
}

export interface SettingsDocument {
  address: SettingsAddress;
  provider: SettingsProvider;
  servers: SettingsServer[];
  steps?: LookupStep[];
}

export function settingsAddress(address: EmailAddress): SettingsAddress {
  return {
    email: address.address,
    emailUnicode: `${address.localPart}@${address.domainUnicode}`,
    localPart: address.localPart,
    domain: address.domain,
    domainUnicode: address.domainUnicode,
  };
}

function server(s: ServerSettings): SettingsServer {
  const out: SettingsServer = {
    protocol: s.protocol,
    host: s.host,
    port: s.port,
    security: s.security,
    auth: [...s.auth],
    username: s.username,
    source: s.source,
    warnings: s.warnings ?? [],
  };
  if (s.pop3) out.pop3 = s.pop3;
  if (s.smtp) out.smtp = s.smtp;
  return out;
}

function provider(config: MailConfig): SettingsProvider {
  return {
    id: config.id,
    displayName: config.displayName || config.displayShortName || config.id,
    ...(config.displayShortName ? { displayShortName: config.displayShortName } : {}),
    documentation: config.documentation,
    enable: config.enable,
    ...(config.webmailUrl ? { webmailUrl: config.webmailUrl } : {}),
    ...(config.oauth2 ? { oauth2: config.oauth2 } : {}),
    source: config.source,
  };
}

/** The settings for one address: user names filled in, servers in preference order; `steps` only when asked. */
export function settingsDocument(config: MailConfig, address: EmailAddress, steps?: LookupStep[]): SettingsDocument {
  const personal = personalize(config, address);
  const doc: SettingsDocument = {
    address: settingsAddress(address),
    provider: provider(personal),
    servers: rankServers(personal.servers).map(server),
  };
  if (steps) doc.steps = steps;
  return doc;
}
