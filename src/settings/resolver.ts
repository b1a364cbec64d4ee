import type { EmailAddress } from './address.js';
import type { MailConfig } from './model.js';
import type { ProviderIndex } from '../providers/database.js';

/** One step of a lookup, for `?explain=1` and the CLI's progress lines. */
export interface LookupStep {
  step: string;
  outcome: 'found' | 'nothing' | 'failed' | 'skipped';
  detail: string;
  ms: number;
}

export interface Resolution {
  /** The settings found, placeholders still in place; undefined when nothing was found. */
  config?: MailConfig;
  steps: LookupStep[];
}

/** Turns a domain into settings. Routes depend on this alone, so database-only and discovery are interchangeable. */
export interface SettingsResolver {
  resolve(domain: string, address?: EmailAddress): Promise<Resolution>;
}

/** Holds the current provider index; admin changes and reloads swap it atomically. */
export interface ProviderStore {
  current(): ProviderIndex;
}

export class StaticProviderStore implements ProviderStore {
  constructor(private index: ProviderIndex) {}
  current(): ProviderIndex {
    return this.index;
  }
  replace(index: ProviderIndex): void {
    this.index = index;
  }
}

/** Answers from the provider database only. */
export class DatabaseResolver implements SettingsResolver {
  constructor(private readonly store: ProviderStore) {}

  async resolve(domain: string): Promise<Resolution> {
    // An index lookup takes no measurable time: no clock reads on this hot path.
    const entry = this.store.current().byDomain(domain);
    if (!entry) return { steps: [{ step: 'database', outcome: 'nothing', detail: `${domain} is not in the provider database`, ms: 0 }] };
    return { config: entry.config, steps: [{ step: 'database', outcome: 'found', detail: entry.file, ms: 0 }] };
  }
}
