import type { ProviderEntry } from './database.js';
import type { Problem } from './parse.js';
import { MailconfigError } from '../settings/errors.js';

/** What a provider is called in the admin API and on disk (`<key>.xml`): no path separators, no dot files. */
const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;

export function isProviderKey(key: string): boolean {
  return key.length <= 200 && KEY_PATTERN.test(key) && !key.includes('..');
}

/** A provider id that cannot name a file in the directory (a programming error: callers check isProviderKey first). */
export class ProviderKeyError extends MailconfigError {
  constructor(key: string) {
    super('MAILCONFIG_PROVIDER_KEY_INVALID', `"${key}" is not a provider id (lower-case letters, digits, ".", "_", "-")`);
  }
}

export function fileOfKey(key: string): string {
  return `${key}.xml`;
}

/** Who serves a domain now, as far as one candidate file is concerned (the candidate's own file left out). */
export interface DomainClaims {
  /** The file listing `domain` as an address domain. */
  addressOwner(domain: string): string | undefined;
  /** The file listing `domain` with `purpose="mx"`. */
  mxOwner(domain: string): string | undefined;
}

/** Claims of a list of entries, looked up by scanning them (for a handful of entries; the store asks its index). */
export function claimsOf(entries: Iterable<ProviderEntry>): DomainClaims {
  const list = [...entries];
  return {
    addressOwner: (domain) => list.find((e) => e.config.domains.includes(domain))?.file,
    mxOwner: (domain) => list.find((e) => e.config.mxDomains.includes(domain))?.file,
  };
}

/**
 * Problems of one candidate file against the other providers: a domain (or MX domain) another file already claims,
 * and MX domains that shadow another provider's address domain (either way round), because MX matching would then
 * send that provider's customers to the wrong settings. The cost is one lookup per domain of the candidate, whatever
 * the size of the database.
 */
export function conflictProblems(candidate: ProviderEntry, claims: DomainClaims): Problem[] {
  const problems: Problem[] = [];
  const report = (domain: string, message: string) =>
    problems.push({ file: candidate.file, line: candidate.domainLines.get(domain) ?? 1, severity: 'error', message });
  for (const d of candidate.config.domains) {
    const owner = claims.addressOwner(d);
    if (owner) report(d, `domain ${d} is already claimed by ${owner}`);
    const shadow = claims.mxOwner(d);
    if (shadow) report(d, `domain ${d} is an MX domain of ${shadow}, which would answer for it by MX`);
  }
  for (const d of candidate.config.mxDomains) {
    const owner = claims.mxOwner(d);
    if (owner) report(d, `MX domain ${d} is already claimed by ${owner}`);
    const shadowed = claims.addressOwner(d);
    if (shadowed) report(d, `MX domain ${d} shadows ${shadowed}, which has it as an address domain`);
  }
  return problems;
}
