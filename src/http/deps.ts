// The routes' dependencies, in a module of their own so the route modules need not import server.ts (which imports
// them).
import type { AppConfig } from '../config.js';
import type { SettingsResolver } from '../settings/resolver.js';
import type { ProviderStore } from '../providers/store.js';
import type { ProfileSigner } from '../formats/profile-signing.js';
import type { DiscoveryBudget } from './discovery-limit.js';
import type { DomainChecker } from '../check/checker.js';
import type { SharedState } from '../redis/shared-state.js';
import type { ChallengeResponder, ProcessRole } from '../tls/types.js';

/** One condition of readiness (GET /readyz): undefined when met, else the reason (one sentence, no personal data). */
export interface ReadinessCheck {
  name: string;
  check(): string | undefined;
}

/** What the routes need; built once by `startService` (or by a test with its own parts). */
export interface ServiceDeps {
  config: AppConfig;
  providers: ProviderStore;
  resolver: SettingsResolver;
  /** Signs Apple profiles; absent: profiles are served unsigned. Built once at start (createSignerFromConfig). */
  signer?: ProfileSigner | undefined;
  /** Limits requests that start a live discovery (made by buildServer from MAILCONFIG_DISCOVERY_RATE_LIMIT). */
  discoveryBudget?: DiscoveryBudget | undefined;
  /** The domain check (GET /check/<domain>, /api/v1/check); absent: built from `config` on first use. */
  checker?: DomainChecker;
  /** ACME http-01 answers for the HTTP listener (src/tls/types.ts); absent: those paths answer 404. */
  challenges?: ChallengeResponder | undefined;
  /** Which serving process this is; only the one with `ordersCertificates` runs ACME orders. */
  role?: ProcessRole;
  /** Readiness conditions beyond the database's (the HTTPS certificate when configured), for GET /readyz. */
  readiness?: ReadinessCheck[];
  /** State shared with the other instances (MAILCONFIG_REDIS_URL): rate-limit counters and discovery budgets. */
  shared?: SharedState | undefined;
}
