// The state one lookup shares between its steps: DNS, guard, limits, the deadline, and the step log.
import type { EmailAddress } from '../settings/address.js';
import type { LookupStep } from '../settings/resolver.js';
import type { ProviderIndex } from '../providers/database.js';
import type { LookupDns } from './hosts.js';
import type { ConnectionLimiter } from './limiter.js';
import type { DiscoveryOptions, Limits } from './options.js';
import type { NetworkGuard } from './types.js';

export type StepOutcome = LookupStep['outcome'];
export type StepListener = (step: LookupStep) => void;

export interface LookupContext {
  domain: string;
  address?: EmailAddress;
  index: ProviderIndex;
  dns: LookupDns;
  guard: NetworkGuard;
  limiter: ConnectionLimiter;
  options: DiscoveryOptions;
  limits: Limits;
  /** Aborts at the lookup deadline, or when a better source made the remaining steps pointless. */
  signal: AbortSignal;
  /** performance.now() value of the lookup deadline, so each connection's own timeout never outlives it. */
  deadlineAt: number;
  log: StepLog;
}

/** Records each step once, in the order they finish, and tells the listener (CLI progress lines). */
export class StepLog {
  readonly steps: LookupStep[] = [];
  private readonly running = new Map<string, number>();
  private closed = false;

  constructor(private readonly listener?: StepListener) {}

  /** Marks a step as started; `finish` records it with its duration. */
  start(step: string): void {
    this.running.set(step, performance.now());
  }

  finish(step: string, outcome: StepOutcome, detail: string): void {
    const started = this.running.get(step);
    this.running.delete(step);
    if (this.closed) return;
    const entry: LookupStep = { step, outcome, detail, ms: Math.round(started === undefined ? 0 : performance.now() - started) };
    this.steps.push(entry);
    this.listener?.(entry);
  }

  /** Runs one step: its result decides outcome and detail; a throw is recorded as a failure. */
  async run<T>(step: string, fn: () => Promise<{ outcome: StepOutcome; detail: string; value: T }>): Promise<T | undefined> {
    this.start(step);
    try {
      const { outcome, detail, value } = await fn();
      this.finish(step, outcome, detail);
      return value;
    } catch (error) {
      this.finish(step, 'failed', error instanceof Error ? error.message : String(error));
      return undefined;
    }
  }

  /** Ends the log: steps still running are recorded with why they stopped; later reports are ignored. */
  close(outcome: StepOutcome, why: string): void {
    for (const step of [...this.running.keys()]) this.finish(step, outcome, why);
    this.closed = true;
  }
}
