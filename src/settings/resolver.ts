import type { EmailAddress } from './address.js';
import type { MailConfig } from './model.js';

import type { LookupStep } from './steps.js';

export type { LookupStep } from './steps.js';

export interface Resolution {
  /** The settings found, placeholders still in place; undefined when nothing was found. */
  config?: MailConfig | undefined;
  steps: LookupStep[];
}

/** Told about each step as it finishes (the CLI's progress lines); the same steps end up in `Resolution.steps`. */
export type StepListener = (step: LookupStep) => void;

/** Turns a domain into settings. Routes depend on this alone, so database-only and discovery are interchangeable. */
export interface SettingsResolver {
  resolve(domain: string, address?: EmailAddress, onStep?: StepListener): Promise<Resolution>;
  /**
   * Whether resolving `domain` now would start a live discovery (not in the database, nothing cached): the routes
   * hold such requests to a tighter budget than answers from the database or the cache. Absent: never.
   */
  needsDiscovery?(domain: string): boolean;
}
