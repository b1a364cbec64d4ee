import type { MailConfig, Protocol, Security, ServerSettings, SourceKind } from './model.js';

const SECURITY_RANK: Record<Security, number> = { tls: 0, starttls: 1, none: 2 };
const PROTOCOL_RANK: Record<Protocol, number> = { imap: 0, pop3: 1, smtp: 2 };
/** Trust order of the sources (issue: database > own autoconfig > MX > SRV > probing). */
export const SOURCE_RANK: Record<SourceKind, number> = { database: 0, autoconfig: 1, mx: 2, srv: 3, probe: 4 };

/** Preference order: IMAP before POP3 before SMTP; then the most trusted source; then implicit TLS > STARTTLS > plain. */
export function compareServers(a: ServerSettings, b: ServerSettings): number {
  return (
    PROTOCOL_RANK[a.protocol] - PROTOCOL_RANK[b.protocol] ||
    SOURCE_RANK[a.source.kind] - SOURCE_RANK[b.source.kind] ||
    SECURITY_RANK[a.security] - SECURITY_RANK[b.security]
  );
}

/** All servers in preference order (stable: a source's own order breaks ties). */
export function rankServers(servers: readonly ServerSettings[]): ServerSettings[] {
  return [...servers].sort(compareServers);
}

export interface PreferredServers {
  /** The one incoming server a single-account client should use: the best IMAP, else the best POP3. */
  incoming?: ServerSettings | undefined;
  outgoing?: ServerSettings | undefined;
  imap?: ServerSettings | undefined;
  pop3?: ServerSettings | undefined;
}

/** The best server of each protocol, as used by formats that carry one server per protocol (POX, Apple). */
export function preferredServers(config: MailConfig): PreferredServers {
  const best = (protocol: Protocol) => rankServers(config.servers.filter((s) => s.protocol === protocol))[0];
  const imap = best('imap');
  const pop3 = best('pop3');
  return { imap, pop3, incoming: imap ?? pop3, outgoing: best('smtp') };
}
