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

/**
 * Problems of one candidate file against the other providers: a domain (or MX domain) another file already claims,
 * and MX domains that shadow another provider's address domain (either way round), because MX matching would then
 * send that provider's customers to the wrong settings. `others` must not contain the candidate's own file.
 */
export function conflictProblems(candidate: ProviderEntry, others: Iterable<ProviderEntry>): Problem[] {
  const domains = new Map<string, string>();
  const mxDomains = new Map<string, string>();
  for (const other of others) {
    for (const d of other.config.domains) if (!domains.has(d)) domains.set(d, other.file);
    for (const d of other.config.mxDomains) if (!mxDomains.has(d)) mxDomains.set(d, other.file);
  }
  const problems: Problem[] = [];
  const report = (domain: string, message: string) =>
    problems.push({ file: candidate.file, line: candidate.domainLines.get(domain) ?? 1, severity: 'error', message });
  for (const d of candidate.config.domains) {
    const owner = domains.get(d);
    if (owner) report(d, `domain ${d} is already claimed by ${owner}`);
    const shadow = mxDomains.get(d);
    if (shadow) report(d, `domain ${d} is an MX domain of ${shadow}, which would answer for it by MX`);
  }
  for (const d of candidate.config.mxDomains) {
    const owner = mxDomains.get(d);
    if (owner) report(d, `MX domain ${d} is already claimed by ${owner}`);
    const shadowed = domains.get(d);
    if (shadowed) report(d, `MX domain ${d} shadows ${shadowed}, which has it as an address domain`);
  }
  return problems;
}
