// The one settings model every source produces and every renderer consumes.
// It mirrors Thunderbird's clientConfig 1.1 (the format admins already know) plus provenance, and the newer facts of
// Autoconfig 1.2 and PACC: OAuth2 details, JMAP/CalDAV/CardDAV/WebDAV URLs, logos and help links.

/** The one protocol list, in the order clients are offered servers (incoming first). */
export const PROTOCOLS = ['imap', 'pop3', 'smtp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
/** The protocols of `<incomingServer>`; SMTP is the outgoing one. */
export const INCOMING_PROTOCOLS: readonly Protocol[] = ['imap', 'pop3'];

export function isProtocol(value: unknown): value is Protocol {
  return (PROTOCOLS as readonly unknown[]).includes(value);
}

/** Implicit TLS, STARTTLS, none: their spellings in src/settings/security.ts. */
export type Security = 'tls' | 'starttls' | 'none';

export const AUTH_METHODS = [
  'password-cleartext',
  'password-encrypted',
  'NTLM',
  'GSSAPI',
  'OAuth2',
  'TLS-client-cert',
  'client-IP-address',
  'smtp-after-pop',
  'none',
] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** Where a value came from; discovery fills `evidence` with records, probe outcomes and certificate facts. */
export type SourceKind = 'database' | 'autoconfig' | 'mx' | 'srv' | 'probe';
export type Confidence = 'high' | 'medium' | 'low';

export interface Provenance {
  kind: SourceKind;
  /** Human-readable reference: a provider file, a URL, a DNS record, a probed host:port. */
  detail: string;
  confidence: Confidence;
  evidence?: Record<string, unknown>;
}

export interface Pop3Options {
  leaveMessagesOnServer?: boolean | undefined;
  downloadOnBiff?: boolean | undefined;
  daysToLeaveMessagesOnServer?: number | undefined;
  checkIntervalMinutes?: number | undefined;
}

export interface SmtpOptions {
  addThisServer?: boolean | undefined;
  useGlobalPreferredServer?: boolean | undefined;
  restriction?: string | undefined;
}

export interface ServerSettings {
  protocol: Protocol;
  host: string;
  port: number;
  security: Security;
  /** In the source's order of preference; never empty. */
  auth: AuthMethod[];
  /** A template with %EMAILADDRESS%-style placeholders until rendered for an address. */
  username: string;
  pop3?: Pop3Options;
  smtp?: SmtpOptions;
  source: Provenance;
  /** Set by discovery when a value needs a person's confirmation (e.g. an SRV target outside the domain). */
  warnings?: string[];
  /**
   * Autoconfig 1.2 `<authentication system="sasl">`: SASL mechanism names (e.g. SCRAM-SHA-256-PLUS), most preferred
   * first, tried before the generic `auth` methods (which stay the fallback every client understands).
   */
  sasl?: string[];
}

/** Services reached by URL (Autoconfig 1.2 `<url>` sections, PACC `url` members). */
export type UrlProtocol = 'jmap' | 'caldav' | 'carddav' | 'webdav';
export const URL_PROTOCOLS: readonly UrlProtocol[] = ['jmap', 'caldav', 'carddav', 'webdav'];

/**
 * How a URL service logs in: `OAuth2` (Autoconfig 1.2 writes it without a system attribute) or an HTTP
 * authentication scheme (`<authentication system="http">Basic</authentication>`).
 */
export const URL_AUTH_METHODS = ['OAuth2', 'Basic', 'Digest'] as const;
export type UrlAuthMethod = (typeof URL_AUTH_METHODS)[number];

export interface UrlService {
  protocol: UrlProtocol;
  /** https URL: the JMAP session resource, the CalDAV/CardDAV context path, the WebDAV share. */
  url: string;
  /** In the source's order of preference; never empty. */
  auth: UrlAuthMethod[];
  /** A template with placeholders, as for mail servers. */
  username: string;
  source: Provenance;
  warnings?: string[];
}

/** A provider logo (PACC `info.provider.logo`). */
export interface Logo {
  url: string;
  /** Media type, e.g. image/svg+xml or image/png. */
  contentType: string;
  /** Pixels; omitted for SVG. */
  width?: number | undefined;
  height?: number | undefined;
}

export interface LocalizedText {
  lang?: string;
  text: string;
}

export interface Documentation {
  url: string;
  descriptions: LocalizedText[];
}

export interface EnableInstructions {
  visitUrl: string;
  instructions: LocalizedText[];
}

/** Where the OAuth2 authorization server is (Autoconfig `<oAuth2>`, PACC `oauth-public`). Never a client secret. */
export interface OAuth2Settings {
  /** RFC 8414 issuer (public ISPDB files still carry a bare host name here). */
  issuer: string;
  /** Space-separated scopes, covering every service of the provider. */
  scope: string;
  authURL: string;
  tokenURL: string;
  /** A public client id (Autoconfig 1.2 `<clientID>`) for clients that do not register dynamically. */
  clientId?: string | undefined;
}

/** Everything known about how to reach one provider's mail. */
export interface MailConfig {
  id: string;
  /** Address domains (ASCII, lower case). */
  domains: string[];
  /** Draft 1.2 `<domain purpose="mx">`: domains that match by the MX host of an address' domain. */
  mxDomains: string[];
  displayName?: string | undefined;
  displayShortName?: string | undefined;
  /** Incoming and outgoing servers in the source's order. Use `rankServers` for preference order. */
  servers: ServerSettings[];
  documentation: Documentation[];
  enable: EnableInstructions[];
  oauth2?: OAuth2Settings | undefined;
  webmailUrl?: string | undefined;
  /** JMAP, CalDAV, CardDAV and WebDAV URLs, in the source's order (at most one per protocol is used). */
  services?: UrlService[];
  logos?: Logo[];
  /** Where developers find how to integrate (PACC `info.help.developer`). */
  developerUrl?: string;
  /** URIs for operators such as mailto: (PACC `info.help.contact`), not shown to end users. */
  contacts?: string[];
  /** Where this configuration as a whole came from. */
  source: Provenance;
}

/** The first service of a protocol, if the provider has one. */
export function urlService(config: MailConfig, protocol: UrlProtocol): UrlService | undefined {
  return config.services?.find((s) => s.protocol === protocol);
}

/** The user help link (PACC `info.help.documentation`): the first documentation URL. */
export function helpUrl(config: MailConfig): string | undefined {
  return config.documentation[0]?.url;
}

const PASSWORD_METHODS: ReadonlySet<string> = new Set(['password-cleartext', 'password-encrypted', 'NTLM', 'Basic', 'Digest']);

/**
 * Whether people may log in with a password at all (PACC `authentication.password`). Derived from the methods every
 * server and service lists, so a provider file cannot say two different things: OAuth2 everywhere means no passwords.
 */
export function allowsPasswords(config: MailConfig): boolean {
  return [...config.servers, ...(config.services ?? [])].some((s) => s.auth.some((m) => PASSWORD_METHODS.has(m)));
}

/** Whether the config uses anything that needs Autoconfig 1.2 (`<clientConfig version="1.2">`). */
export function usesAutoconfig12(config: MailConfig): boolean {
  return (config.services?.length ?? 0) > 0 || config.oauth2?.clientId !== undefined || config.servers.some((s) => (s.sasl?.length ?? 0) > 0);
}

/** What to call a provider when one name is needed: its display name, else its short name, else its id. */
export function providerDisplayName(config: MailConfig): string {
  return config.displayName || config.displayShortName || config.id;
}
