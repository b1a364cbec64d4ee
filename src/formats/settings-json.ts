import type { EmailAddress } from '../settings/address.js';
import {
  allowsPasswords,
  helpUrl,
  providerDisplayName,
  type Logo,
  type UrlService,
  type Documentation,
  type EnableInstructions,
  type MailConfig,
  type OAuth2Settings,
  type Provenance,
  type ServerSettings,
} from '../settings/model.js';
import { personalize } from '../settings/placeholders.js';
import { rankServers } from '../settings/preference.js';
import { stepText, type LookupStep } from '../settings/steps.js';

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

/** A server as the API shows it: the model's fields, with `warnings` always present (an empty list when none). */
export type SettingsServer = Omit<ServerSettings, 'warnings'> & { warnings: string[] };

/** A JMAP, CalDAV, CardDAV or WebDAV service, placeholders filled in, `warnings` always present. */
export type SettingsService = Omit<UrlService, 'warnings'> & { warnings: string[] };

export interface SettingsProvider {
  id: string;
  displayName: string;
  displayShortName?: string;
  documentation: Documentation[];
  enable: EnableInstructions[];
  webmailUrl?: string;
  oauth2?: OAuth2Settings;
  /** False when OAuth2 is the only way in (derived from every server's and service's methods). */
  passwordsAllowed: boolean;
  /** The user help page (the first documentation link). */
  helpUrl?: string | undefined;
  developerUrl?: string;
  contacts?: string[];
  logos?: Logo[];
  source: Provenance;
}

export interface SettingsDocument {
  address: SettingsAddress;
  provider: SettingsProvider;
  servers: SettingsServer[];
  /** JMAP, CalDAV, CardDAV, WebDAV in the provider's order; empty when it has none. */
  services: SettingsService[];
  steps?: ExplainedStep[];
}

/** A lookup step as `?explain=1` shows it: the structured fields, and the same in words for people. */
export type ExplainedStep = LookupStep & { text: string };

/** The steps of a lookup for an explain answer. */
export function explainSteps(steps: readonly LookupStep[]): ExplainedStep[] {
  return steps.map((step) => ({ ...step, text: stepText(step) }));
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
  return { ...s, warnings: s.warnings ?? [] };
}

function provider(config: MailConfig): SettingsProvider {
  return {
    id: config.id,
    displayName: providerDisplayName(config),
    ...(config.displayShortName ? { displayShortName: config.displayShortName } : {}),
    documentation: config.documentation,
    enable: config.enable,
    ...(config.webmailUrl ? { webmailUrl: config.webmailUrl } : {}),
    ...(config.oauth2 ? { oauth2: config.oauth2 } : {}),
    passwordsAllowed: allowsPasswords(config),
    ...(helpUrl(config) ? { helpUrl: helpUrl(config) } : {}),
    ...(config.developerUrl ? { developerUrl: config.developerUrl } : {}),
    ...(config.contacts?.length ? { contacts: config.contacts } : {}),
    ...(config.logos?.length ? { logos: config.logos } : {}),
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
    services: (personal.services ?? []).map((s) => ({ ...s, warnings: s.warnings ?? [] })),
  };
  if (steps) doc.steps = explainSteps(steps);
  return doc;
}
