// The one settings model every source produces and every renderer consumes.
// It mirrors Thunderbird's clientConfig 1.1 (the format admins already know) plus provenance.

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
  leaveMessagesOnServer?: boolean;
  downloadOnBiff?: boolean;
  daysToLeaveMessagesOnServer?: number;
  checkIntervalMinutes?: number;
}

export interface SmtpOptions {
  addThisServer?: boolean;
  useGlobalPreferredServer?: boolean;
  restriction?: string;
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

export interface OAuth2Settings {
  issuer: string;
  scope: string;
  authURL: string;
  tokenURL: string;
}

/** Everything known about how to reach one provider's mail. */
export interface MailConfig {
  id: string;
  /** Address domains (ASCII, lower case). */
  domains: string[];
  /** Draft 1.2 `<domain purpose="mx">`: domains that match by the MX host of an address' domain. */
  mxDomains: string[];
  displayName?: string;
  displayShortName?: string;
  /** Incoming and outgoing servers in the source's order. Use `rankServers` for preference order. */
  servers: ServerSettings[];
  documentation: Documentation[];
  enable: EnableInstructions[];
  oauth2?: OAuth2Settings;
  webmailUrl?: string;
  /** Where this configuration as a whole came from. */
  source: Provenance;
}

/** What to call a provider when one name is needed: its display name, else its short name, else its id. */
export function providerDisplayName(config: MailConfig): string {
  return config.displayName || config.displayShortName || config.id;
}
