import { hash } from 'node:crypto';
import { build, type PlistValue } from 'plist';
import type { EmailAddress } from '../settings/address.js';
import { providerDisplayName, urlService, type AuthMethod, type MailConfig, type ServerSettings, type UrlService } from '../settings/model.js';
import { ADDRESS_MARKERS, compileTemplate, fillCompiled, lowerCaseHost, type CompiledTemplate } from '../settings/placeholders.js';
import { preferredServers } from '../settings/preference.js';
import { escapeXml } from '../xml/escape.js';
import { MailconfigError } from '../settings/errors.js';

// Apple configuration profile (.mobileconfig) with one com.apple.mail.managed payload, and com.apple.caldav.account /
// com.apple.carddav.account payloads when the provider has CalDAV / CardDAV (keys as in Apple's device-management
// schema: mdm/profiles/com.apple.caldav.account.yaml and com.apple.carddav.account.yaml).
// Traps handled here (formats.md section 3): PayloadVersion 1 everywhere, ports as <integer>, UUIDs derived from the
// address (never shared between users), EmailAddress always set, never a password.

export const MOBILECONFIG_CONTENT_TYPE = 'application/x-apple-aspen-config';

/** The config cannot become a mail profile (Apple needs one incoming and one outgoing server). */
export class ProfileError extends MailconfigError {
  constructor(message: string) {
    super('MAILCONFIG_PROFILE_IMPOSSIBLE', message);
  }
}

/** What makes a profile one address' own: stable for that address, different for every other. */
export interface ProfileIdentity {
  /** Reverse-DNS PayloadIdentifier of the profile; the mail payload appends `.mail`. */
  identifier: string;
  profileUuid: string;
  mailUuid: string;
  caldavUuid: string;
  carddavUuid: string;
}

/** Bytes as a UUID in Apple's uppercase 8-4-4-4-12 form, marked as RFC 9562 version 8 (custom, hash-derived). */
function uuidFrom(bytes: Buffer): string {
  const b = Buffer.from(bytes.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Identifier and UUIDs derived from the lowercased address, so a re-install replaces the old profile and two
 * addresses never collide. One SHA-256 (runs per request) gives both UUIDs; the identifier reuses its first bytes.
 */
export function profileIdentity(address: EmailAddress): ProfileIdentity {
  const digest = hash('sha256', `mailconfig profile:${address.address.toLowerCase()}`, 'buffer');
  // A second digest for the calendar and contacts payloads, so the mail UUIDs stay what they always were.
  const dav = hash('sha256', `mailconfig profile dav:${address.address.toLowerCase()}`, 'buffer');
  const reversedDomain = address.domain.split('.').reverse().join('.');
  return {
    identifier: `${reversedDomain}.mailconfig.${digest.subarray(0, 12).toString('hex')}`,
    profileUuid: uuidFrom(digest.subarray(0, 16)),
    mailUuid: uuidFrom(digest.subarray(16, 32)),
    caldavUuid: uuidFrom(dav.subarray(0, 16)),
    carddavUuid: uuidFrom(dav.subarray(16, 32)),
  };
}

/** A download name safe inside a quoted Content-Disposition filename (ASCII letters, digits and . _ @ + - only). */
export function profileFilename(address: EmailAddress): string {
  const safe = address.address.replace(/[^A-Za-z0-9._@+-]/g, '_').slice(0, 120);
  return `${safe}.mobileconfig`;
}

/** Everything address-specific in a profile; the renderer fills these into a cached per-provider template. */
interface ProfileFields extends ProfileIdentity {
  address: string;
  localPart: string;
  domain: string;
  /** The address with the Unicode domain, for text people read on the install screen. */
  displayAddress: string;
}

// First method of the server's own order that Apple can express. OAuth2, GSSAPI and client certificates have no
// Apple equivalent in this payload: when nothing else is offered the device asks for a password (an app password).
const APPLE_AUTH: Partial<Record<AuthMethod, string>> = {
  'password-cleartext': 'EmailAuthPassword',
  'password-encrypted': 'EmailAuthCRAMMD5',
  NTLM: 'EmailAuthNTLM',
  none: 'EmailAuthNone',
  'client-IP-address': 'EmailAuthNone',
  'smtp-after-pop': 'EmailAuthNone',
};

export function appleAuthentication(methods: readonly AuthMethod[]): string {
  for (const method of methods) {
    const apple = APPLE_AUTH[method];
    if (apple) return apple;
  }
  return 'EmailAuthPassword';
}

function port(server: ServerSettings): number {
  // plist writes any non-integer number as <real>, which iOS rejects for port numbers.
  if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) {
    throw new ProfileError(`${server.host} has an invalid port ${server.port}`);
  }
  return server.port;
}

/** The languages the texts on the device's install screen come in (the setup page passes its own). */
export type ProfileLang = 'en' | 'de';

interface ProfileTexts {
  mail(name: string): string;
  account(address: string): string;
  description(address: string, name: string, incoming: string, outgoing: string, dav: readonly DavKind[]): string;
  /** The display name of a calendar or contacts account. */
  dav(kind: DavKind, name: string): string;
  davAccount(kind: DavKind, address: string): string;
}

type DavKind = 'caldav' | 'carddav';
const DAV_PROTOCOL: Record<DavKind, string> = { caldav: 'CalDAV', carddav: 'CardDAV' };
const davProtocols = (dav: readonly DavKind[]) => dav.map((kind) => DAV_PROTOCOL[kind]).join(', ');

const PROFILE_TEXTS: Record<ProfileLang, ProfileTexts> = {
  en: {
    mail: (name) => `${name} mail`,
    account: (address) => `Mail account ${address}`,
    description: (address, name, incoming, outgoing, dav) =>
      `Sets up the mail account ${address} with ${name}: incoming ${incoming}, outgoing SMTP ${outgoing}. ` +
      (dav.length > 0
        ? `It also sets up ${dav.map((kind) => (kind === 'caldav' ? 'calendars' : 'contacts')).join(' and ')} (${davProtocols(dav)}). `
        : '') +
      'The profile holds no password; the device asks for it.',
    dav: (kind, name) => `${name} ${kind === 'caldav' ? 'calendar' : 'contacts'}`,
    davAccount: (kind, address) => `${kind === 'caldav' ? 'Calendar' : 'Contacts'} account ${address}`,
  },
  de: {
    mail: (name) => `${name} E-Mail`,
    account: (address) => `E-Mail-Account ${address}`,
    description: (address, name, incoming, outgoing, dav) =>
      `Richtet den E-Mail-Account ${address} bei ${name} ein: Posteingang ${incoming}, Postausgang SMTP ${outgoing}. ` +
      (dav.length > 0
        ? `Außerdem richtet es ${dav.map((kind) => (kind === 'caldav' ? 'Kalender' : 'Kontakte')).join(' und ')} ein (${davProtocols(dav)}). `
        : '') +
      'Das Profil enthält kein Passwort; das Gerät fragt danach.',
    dav: (kind, name) => `${name} ${kind === 'caldav' ? 'Kalender' : 'Kontakte'}`,
    davAccount: (kind, address) => `${kind === 'caldav' ? 'Kalender' : 'Kontakte'}-Account ${address}`,
  },
};

/** The profile as a property-list object. Pure; `renderMobileconfig` is the fast path for serving. */
function buildProfile(config: MailConfig, fields: ProfileFields, lang: ProfileLang = 'en'): Record<string, PlistValue> {
  const texts = PROFILE_TEXTS[lang];
  const { incoming, outgoing } = preferredServers(config);
  if (!incoming) throw new ProfileError(`no IMAP or POP3 server is known for ${config.id}`);
  if (!outgoing) throw new ProfileError(`no SMTP server is known for ${config.id}`);
  const host = (server: ServerSettings) => fill(server.host, fields);
  const username = (server: ServerSettings) => fill(server.username, fields);
  const name = providerDisplayName(config);
  const incomingLabel = `${incoming.protocol === 'imap' ? 'IMAP' : 'POP3'} ${host(incoming)}:${incoming.port}`;
  const mail: Record<string, PlistValue> = {
    PayloadType: 'com.apple.mail.managed',
    PayloadVersion: 1,
    PayloadIdentifier: `${fields.identifier}.mail`,
    PayloadUUID: fields.mailUuid,
    PayloadDisplayName: texts.mail(name),
    PayloadDescription: texts.account(fields.displayAddress),
    EmailAccountType: incoming.protocol === 'imap' ? 'EmailTypeIMAP' : 'EmailTypePOP',
    EmailAccountDescription: name,
    EmailAddress: fields.address,
    IncomingMailServerHostName: host(incoming),
    IncomingMailServerPortNumber: port(incoming),
    // There is no STARTTLS key: UseSSL makes the device use TLS, implicit or STARTTLS by port.
    IncomingMailServerUseSSL: incoming.security !== 'none',
    IncomingMailServerUsername: username(incoming),
    IncomingMailServerAuthentication: appleAuthentication(incoming.auth),
    OutgoingMailServerHostName: host(outgoing),
    OutgoingMailServerPortNumber: port(outgoing),
    OutgoingMailServerUseSSL: outgoing.security !== 'none',
    OutgoingMailServerUsername: username(outgoing),
    OutgoingMailServerAuthentication: appleAuthentication(outgoing.auth),
    // No password in the profile (only encrypted profiles may carry one): the device asks once for both servers.
    OutgoingPasswordSameAsIncomingPassword: true,
  };
  const content: Record<string, PlistValue>[] = [mail];
  const dav: DavKind[] = [];
  for (const kind of ['caldav', 'carddav'] as const) {
    const service = urlService(config, kind);
    const payload = service ? davPayload(kind, service, name, fields, texts) : undefined;
    if (!payload) continue;
    content.push(payload);
    dav.push(kind);
  }
  return {
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: fields.identifier,
    PayloadUUID: fields.profileUuid,
    PayloadDisplayName: `${name} (${fields.displayAddress})`,
    PayloadDescription: texts.description(fields.displayAddress, name, incomingLabel, `${host(outgoing)}:${outgoing.port}`, dav),
    PayloadOrganization: name,
    PayloadRemovalDisallowed: false,
    PayloadContent: content,
  };
}

/**
 * One CalDAV or CardDAV account: host, port and TLS from the https URL, the URL itself as the principal URL (the
 * device runs the RFC 6764 / current-user-principal discovery from there), the user name, never a password.
 * A URL that is not https is left out (Apple would send the password in clear text).
 */
function davPayload(kind: DavKind, service: UrlService, name: string, fields: ProfileFields, texts: ProfileTexts): Record<string, PlistValue> | undefined {
  const url = fill(service.url, fields);
  const parts = /^https:\/\/([^/:?#]+)(?::([0-9]{1,5}))?(?:[/?#]|$)/i.exec(url);
  if (!parts) return undefined;
  const port = parts[2] === undefined ? 443 : Number(parts[2]);
  if (!(port >= 1 && port <= 65535)) return undefined;
  const prefix = DAV_PROTOCOL[kind];
  return {
    PayloadType: `com.apple.${kind}.account`,
    PayloadVersion: 1,
    PayloadIdentifier: `${fields.identifier}.${kind}`,
    PayloadUUID: kind === 'caldav' ? fields.caldavUuid : fields.carddavUuid,
    PayloadDisplayName: texts.dav(kind, name),
    PayloadDescription: texts.davAccount(kind, fields.displayAddress),
    [`${prefix}AccountDescription`]: texts.dav(kind, name),
    [`${prefix}HostName`]: lowerCaseHost(parts[1]!),
    [`${prefix}Port`]: port,
    [`${prefix}UseSSL`]: true,
    [`${prefix}PrincipalURL`]: url,
    [`${prefix}Username`]: fill(service.username, fields),
  };
}

function fieldsFor(address: EmailAddress): ProfileFields {
  return {
    ...profileIdentity(address),
    address: address.address,
    localPart: address.localPart,
    domain: address.domain,
    displayAddress: `${address.localPart}@${address.domainUnicode}`,
  };
}

/** The profile object for one address (for callers that want values, not XML). */
export function mobileconfigObject(config: MailConfig, address: EmailAddress): Record<string, PlistValue> {
  return buildProfile(config, fieldsFor(address));
}

// Building a plist costs ~0.1 ms, more than the rest of a request: build once per provider with markers in place
// of the address-specific strings, then fill them in with one pass (so a value containing a marker stays as is).
const MARKERS: Record<string, keyof ProfileFields> = {
  ...ADDRESS_MARKERS,
  '%MAILCONFIG-DISPLAYADDRESS%': 'displayAddress',
  '%MAILCONFIG-IDENTIFIER%': 'identifier',
  '%MAILCONFIG-PROFILEUUID%': 'profileUuid',
  '%MAILCONFIG-MAILUUID%': 'mailUuid',
  '%MAILCONFIG-CALDAVUUID%': 'caldavUuid',
  '%MAILCONFIG-CARDDAVUUID%': 'carddavUuid',
};
const MARKER_FIELDS = Object.fromEntries(Object.entries(MARKERS).map(([marker, field]) => [field, marker])) as unknown as ProfileFields;

/** Fills the markers in one pass, so a value that itself looks like a marker (`%EMAILDOMAIN%@x`) stays as is. */
function fill(text: string, fields: ProfileFields): string {
  return fillCompiled(compileTemplate(text, MARKERS), fields);
}

const templates: Record<ProfileLang, WeakMap<MailConfig, CompiledTemplate<keyof ProfileFields> | ProfileError>> = { en: new WeakMap(), de: new WeakMap() };

function template(config: MailConfig, lang: ProfileLang): CompiledTemplate<keyof ProfileFields> {
  let cached = templates[lang].get(config);
  if (cached === undefined) {
    try {
      cached = compileTemplate(build(buildProfile(config, MARKER_FIELDS, lang)), MARKERS);
    } catch (error) {
      if (!(error instanceof ProfileError)) throw error;
      cached = error;
    }
    templates[lang].set(config, cached);
  }
  if (cached instanceof ProfileError) throw cached;
  return cached;
}

/** The unsigned profile (XML plist) for one address; throws ProfileError when the config has no usable servers. */
export function renderMobileconfig(config: MailConfig, address: EmailAddress, lang: ProfileLang = 'en'): string {
  return fillCompiled(template(config, lang), fieldsFor(address), escapeXml);
}
