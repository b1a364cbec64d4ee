// The state one lookup shares between its steps: DNS, guard, limits, the deadline, and the step log.
import type { EmailAddress } from '../settings/address.js';
import { stepLabel, type LookupStep, type StepFailure, type StepKind, type StepOutcome, type StepServer } from '../settings/steps.js';
import type { ProviderIndex } from '../providers/database.js';
import { DnsError } from './dns.js';
import type { LookupDns } from './hosts.js';
import type { ConnectionLimiter } from './limiter.js';
import type { FetchOptions } from './fetch.js';
import type { DiscoveryOptions, Limits } from './options.js';
import type { BugContext } from './bugs.js';
import type { NetworkGuard } from './types.js';

export type { StepOutcome };
export type StepListener = (step: LookupStep) => void;

/** Which step: its kind, what it looks at, and for probes the server. */
export interface StepId {
  kind: StepKind;
  subject: string;
  server?: StepServer;
}

/** How a step ended. */
export interface StepEnd {
  outcome: StepOutcome;
  detail: string;
  failure?: StepFailure;
}

export interface LookupContext {
  domain: string;
  address?: EmailAddress | undefined;
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
  /** Reports a bug (logged with its stack, counted); the caller records the step as broken. */
  bug(error: unknown, step: BugContext['step']): void;
}

/** The options every fetch of a lookup shares: its DNS, trusted CAs, limits and deadline signal. */
export function lookupFetchOptions(ctx: LookupContext, allowHttp: boolean): FetchOptions {
  return {
    dns: ctx.dns,
    ca: ctx.options.ca,
    mapPort: ctx.options.mapPort,
    timeoutMs: ctx.limits.fetchTimeoutMs,
    maxBytes: ctx.limits.maxBodyBytes,
    maxRedirects: ctx.limits.maxRedirects,
    allowHttp,
    signal: ctx.signal,
    limiter: ctx.limiter,
    limitKey: ctx.domain,
  };
}

/** What a broken step shows; the bug itself is in the log. */
export const INTERNAL_DETAIL = 'internal error (logged)';

/** Records each step once, in the order they finish, and tells the listener (CLI progress lines). */
export class StepLog {
  readonly steps: LookupStep[] = [];
  private readonly running = new Map<string, { id: StepId; at: number }>();
  private closed = false;

  constructor(
    private readonly listener?: StepListener,
    /** Told about anything a step throws that is not an expected failure. */
    private readonly onBug: (error: unknown, kind: StepKind) => void = () => {},
  ) {}

  /** Marks a step as started; `finish` records it with its duration. */
  start(id: StepId): void {
    this.running.set(stepLabel(id), { id, at: performance.now() });
  }

  finish(id: StepId, end: StepEnd): void {
    const key = stepLabel(id);
    const started = this.running.get(key)?.at;
    this.running.delete(key);
    if (this.closed) return;
    const entry: LookupStep = { kind: id.kind, subject: id.subject, outcome: end.outcome, detail: end.detail, ms: Math.round(started === undefined ? 0 : performance.now() - started) };
    if (end.failure) entry.failure = end.failure;
    if (id.server) entry.server = id.server;
    this.steps.push(entry);
    this.listener?.(entry);
  }

  /**
   * Runs one step: its result decides outcome and detail. A DNS failure thrown by the step is recorded as one;
   * anything else is a bug: reported, and the step recorded as broken (`internal`) without the bug's words.
   */
  async run<T>(id: StepId, fn: () => Promise<StepEnd & { value: T }>): Promise<T | undefined> {
    this.start(id);
    try {
      const { value, ...end } = await fn();
      this.finish(id, end);
      return value;
    } catch (error) {
      if (error instanceof DnsError) {
        this.finish(id, { outcome: 'failed', failure: error.failure, detail: error.message });
      } else {
        this.onBug(error, id.kind);
        this.finish(id, { outcome: 'failed', failure: 'internal', detail: INTERNAL_DETAIL });
      }
      return undefined;
    }
  }

  /** Ends the log: steps still running are recorded with why they stopped; later reports are ignored. */
  close(end: StepEnd): void {
    for (const { id } of [...this.running.values()]) this.finish(id, end);
    this.closed = true;
  }
}
