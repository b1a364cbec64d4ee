import { PROTOCOLS, URL_PROTOCOLS, urlService, type MailConfig, type Protocol, type ServerSettings } from '../settings/model.js';
import { SECURITY_MODES } from '../settings/security.js';
import { rankServers } from '../settings/preference.js';
import type { ProviderEntry } from './database.js';

/** What a client asking for one domain would see differently between two databases. */
export interface DomainChange {
  domain: string;
  /** True for a `purpose="mx"` domain (matched by MX host), false for an address domain. */
  mx: boolean;
  kind: 'added' | 'removed' | 'changed';
  /** The file answering before / after. */
  before?: string;
  after?: string;
  /** For `changed`: one line per difference, `what: old -> new`. */
  details: string[];
}


/** One server as a client would set it up, on one line. */
export function describeServer(server: ServerSettings): string {
  return `${server.host}:${server.port} ${SECURITY_MODES[server.security].word} user ${server.username || '(none)'} auth ${server.auth.join('/')}`;
}

/** Per-domain differences between two sets of providers (e.g. two directories' indexes, or one file before and after). */
export function diffProviders(before: Iterable<ProviderEntry>, after: Iterable<ProviderEntry>): DomainChange[] {
  const a = byDomain(before);
  const b = byDomain(after);
  const changes: DomainChange[] = [];
  for (const [key, old] of a) {
    const now = b.get(key);
    if (!now) {
      changes.push({ domain: old.domain, mx: old.mx, kind: 'removed', before: old.entry.file, details: [] });
      continue;
    }
    const details = configDifferences(old.entry.config, now.entry.config);
    if (old.entry.file !== now.entry.file) details.unshift(`moved: ${old.entry.file} -> ${now.entry.file}`);
    if (details.length > 0) changes.push({ domain: old.domain, mx: old.mx, kind: 'changed', before: old.entry.file, after: now.entry.file, details });
  }
  for (const [key, now] of b) {
    if (!a.has(key)) changes.push({ domain: now.domain, mx: now.mx, kind: 'added', after: now.entry.file, details: [] });
  }
  return changes.sort((x, y) => x.domain.localeCompare(y.domain) || Number(x.mx) - Number(y.mx));
}

interface DomainOwner {
  domain: string;
  mx: boolean;
  entry: ProviderEntry;
}

function byDomain(entries: Iterable<ProviderEntry>): Map<string, DomainOwner> {
  const map = new Map<string, DomainOwner>();
  for (const entry of entries) {
    for (const domain of entry.config.domains) map.set(`a:${domain}`, { domain, mx: false, entry });
    for (const domain of entry.config.mxDomains) map.set(`mx:${domain}`, { domain, mx: true, entry });
  }
  return map;
}

/** Client-visible differences only: servers in preference order, display name, OAuth2 issuer and client id, URL services. */
function configDifferences(old: MailConfig, now: MailConfig): string[] {
  const details: string[] = [];
  for (const protocol of PROTOCOLS) {
    const before = serverList(old, protocol);
    const after = serverList(now, protocol);
    if (before !== after) details.push(`${protocol}: ${before} -> ${after}`);
  }
  if ((old.displayName ?? '') !== (now.displayName ?? '')) details.push(`display name: ${old.displayName ?? '(none)'} -> ${now.displayName ?? '(none)'}`);
  if ((old.oauth2?.issuer ?? '') !== (now.oauth2?.issuer ?? '')) details.push(`OAuth2 issuer: ${old.oauth2?.issuer ?? '(none)'} -> ${now.oauth2?.issuer ?? '(none)'}`);
  if ((old.oauth2?.clientId ?? '') !== (now.oauth2?.clientId ?? '')) details.push(`OAuth2 client id: ${old.oauth2?.clientId ?? '(none)'} -> ${now.oauth2?.clientId ?? '(none)'}`);
  for (const protocol of URL_PROTOCOLS) {
    const before = urlService(old, protocol)?.url ?? '(none)';
    const after = urlService(now, protocol)?.url ?? '(none)';
    if (before !== after) details.push(`${protocol}: ${before} -> ${after}`);
  }
  return details;
}

function serverList(config: MailConfig, protocol: Protocol): string {
  const servers = rankServers(config.servers.filter((s) => s.protocol === protocol));
  return servers.length === 0 ? '(none)' : servers.map(describeServer).join(', ');
}

/** `+ domain (file)`, `- domain (file)`, `~ domain (file)` with indented details: the CLI's and the admin log's form. */
export function formatChange(change: DomainChange): string[] {
  const label = change.mx ? `${change.domain} (MX)` : change.domain;
  if (change.kind === 'added') return [`+ ${label}  ${change.after}`];
  if (change.kind === 'removed') return [`- ${label}  ${change.before}`];
  return [`~ ${label}  ${change.after}`, ...change.details.map((d) => `    ${d}`)];
}

export interface ChangeSummary {
  added: string[];
  removed: string[];
  changed: string[];
  /** The distinct differences of the changed domains (a file's domains usually change together). */
  details: string[];
}

/** A compact account of a change for the admin log: one line per kind, not one per domain. */
export function summarizeChanges(changes: DomainChange[]): ChangeSummary {
  const label = (c: DomainChange) => (c.mx ? `${c.domain} (MX)` : c.domain);
  return {
    added: changes.filter((c) => c.kind === 'added').map(label),
    removed: changes.filter((c) => c.kind === 'removed').map(label),
    changed: changes.filter((c) => c.kind === 'changed').map(label),
    details: [...new Set(changes.flatMap((c) => c.details))],
  };
}
