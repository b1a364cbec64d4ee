// Port probing: connect to candidate hosts on the mail ports and record what really answers. Candidates come in
// the reference client's order (implicit TLS before STARTTLS, IMAP before POP3); within a protocol, once a try
// succeeds, worse-ranked tries are cancelled, as Thunderbird does.
import { PROTOCOLS, type Protocol, type Security } from '../settings/model.js';
import { serverLabel, type StepFailure, type StepServer } from '../settings/steps.js';
import { INTERNAL_DETAIL, type LookupContext, type StepId } from './context.js';
import { describeUnusable } from './hosts.js';
import { probe } from './probe/index.js';
import type { MxFinding } from './mx.js';
import { MAIL_PORTS, type SrvFinding, type SrvTarget } from './srv.js';
import type { ProbeFailureKind, ProbeResult } from './types.js';

export interface Candidate {
  host: string;
  /** The standard port; tests may map it to another (options.mapPort), reports always show this one. */
  port: number;
  protocol: Protocol;
  security: Security;
  /** The SRV record that named this target, when one did. */
  srv?: SrvTarget;
  /** Why this host is tried: "SRV", "guess", "MX". */
  origin: 'srv' | 'guess' | 'mx';
}

export interface ProbeAttempt {
  candidate: Candidate;
  address?: string;
  result?: ProbeResult;
  /** Why no conversation took place (host unusable, cancelled) when there is no result. */
  skipped?: string;
}

/** Ports per protocol in the reference client's order: implicit TLS, then STARTTLS. Plain is never probed on its own. */
const PORTS: Record<Protocol, readonly [number, Security][]> = {
  imap: [
    [993, 'tls'],
    [143, 'starttls'],
  ],
  pop3: [
    [995, 'tls'],
    [110, 'starttls'],
  ],
  smtp: [
    [465, 'tls'],
    [587, 'starttls'],
    [25, 'starttls'],
  ],
};
/** Tries per protocol at most (the SRV targets count), so a lookup stays a handful of connections. */
const MAX_TRIES_PER_PROTOCOL = 10;

/** Thunderbird's guesses: incoming imap.D, pop3.D, pop.D, mail.D, D; outgoing smtp.D, mail.D, D. */
export function guessedHosts(domain: string): Record<Protocol, string[]> {
  return {
    imap: [`imap.${domain}`, `mail.${domain}`, domain],
    pop3: [`pop3.${domain}`, `pop.${domain}`, `mail.${domain}`, domain],
    smtp: [`smtp.${domain}`, `mail.${domain}`, domain],
  };
}

/** The full plan: SRV targets first, then the guesses, then names under the MX host's domain; duplicates once. */
export function planCandidates(domain: string, srv: SrvFinding, mx: MxFinding | undefined): Record<Protocol, Candidate[]> {
  const guesses = guessedHosts(domain);
  const mxBase = mx?.domains[0];
  const plan = {} as Record<Protocol, Candidate[]>;
  for (const protocol of PROTOCOLS) {
    const list: Candidate[] = [];
    const seen = new Set<string>();
    const add = (candidate: Candidate) => {
      const key = `${candidate.host}:${candidate.port}:${candidate.security}`;
      if (seen.has(key) || !MAIL_PORTS.has(candidate.port) || list.length >= MAX_TRIES_PER_PROTOCOL) return;
      seen.add(key);
      list.push(candidate);
    };
    for (const target of srv.targets.filter((t) => t.service.protocol === protocol)) {
      add({ host: target.host, port: target.port, protocol, security: target.service.security, srv: target, origin: 'srv' });
    }
    // A service the domain says it does not offer (SRV target ".") is not guessed either.
    const refused = srv.notOffered.filter((s) => s.protocol === protocol).map((s) => s.security);
    const hosts = [...guesses[protocol], ...(mxBase && mxBase !== domain ? [`${protocol}.${mxBase}`] : [])];
    for (const host of hosts) {
      for (const [port, security] of PORTS[protocol]) {
        if (refused.includes(security)) continue;
        add({ host, port, protocol, security, origin: host.endsWith(`.${mxBase}`) && mxBase !== domain ? 'mx' : 'guess' });
      }
    }
    plan[protocol] = list;
  }
  return plan;
}

/**
 * Runs the plan (all protocols at once, through the connection limiter). Each finished try is appended to
 * `attempts` at once, so a lookup that hits its deadline still has what finished.
 */
export async function probeCandidates(ctx: LookupContext, plan: Record<Protocol, Candidate[]>, attempts: ProbeAttempt[]): Promise<void> {
  const reported = new Set<string>();
  await Promise.all(PROTOCOLS.map((protocol) => runGroup(ctx, plan[protocol], attempts, reported)));
}

/** One protocol's tries, all started at once; a success cancels every worse-ranked try of the group. */
async function runGroup(ctx: LookupContext, candidates: Candidate[], attempts: ProbeAttempt[], reported: Set<string>): Promise<void> {
  const controllers = candidates.map(() => new AbortController());
  await Promise.all(
    candidates.map(async (candidate, rank) => {
      const signal = AbortSignal.any([ctx.signal, controllers[rank]!.signal]);
      const attempt = await tryCandidate(ctx, candidate, signal, reported);
      if (!attempt) return;
      attempts.push(attempt);
      if (attempt.result?.ok) {
        controllers.forEach((controller, other) => {
          if (other > rank) controller.abort(new Error(`not needed: ${describe(candidate)} answered first`));
        });
      }
    }),
  );
}

/** One try as a step. Undefined when the host has no usable address (reported once per host as its own step). */
async function tryCandidate(ctx: LookupContext, candidate: Candidate, signal: AbortSignal, reported: Set<string>): Promise<ProbeAttempt | undefined> {
  const vetted = await ctx.dns.resolveHost(candidate.host);
  const address = vetted.addresses[0];
  if (!address) {
    if (!reported.has(candidate.host)) {
      reported.add(candidate.host);
      const id: StepId = { kind: 'host', subject: candidate.host };
      ctx.log.start(id);
      const detail = describeUnusable(vetted);
      if (vetted.refused.length > 0) ctx.log.finish(id, { outcome: 'skipped', failure: 'not-allowed', detail });
      else if (vetted.error) ctx.log.finish(id, { outcome: 'failed', failure: 'dns', detail });
      else ctx.log.finish(id, { outcome: 'nothing', detail });
    }
    return candidate.origin === 'srv' ? { candidate, skipped: describeUnusable(vetted) } : undefined;
  }
  const server: StepServer = { host: candidate.host, port: candidate.port, protocol: candidate.protocol, security: candidate.security };
  const id: StepId = { kind: 'probe', subject: `${candidate.host}:${candidate.port}`, server };
  const cancelled = (result?: ProbeResult): ProbeAttempt => {
    ctx.log.finish(id, { outcome: 'skipped', failure: 'cancelled', detail: reasonOf(signal) });
    return result ? { candidate, address, result, skipped: reasonOf(signal) } : { candidate, address, skipped: reasonOf(signal) };
  };
  ctx.log.start(id);
  if (signal.aborted) return cancelled();
  const untilDeadline = ctx.deadlineAt - performance.now();
  const timeoutMs = Math.max(1, Math.min(ctx.limits.probeTimeoutMs, untilDeadline));
  const port = ctx.options.mapPort?.(address, candidate.port) ?? candidate.port;
  let result: ProbeResult;
  try {
    result = await ctx.limiter.run(
      ctx.domain,
      () => probe({ host: candidate.host, address, port, protocol: candidate.protocol, security: candidate.security }, { timeoutMs, signal, ca: ctx.options.ca, ehloName: ctx.options.ehloName, guard: ctx.guard }),
      signal,
      address,
    );
  } catch (error) {
    // The limiter rejects with the signal's reason when the try was still queued at cancellation: no connection
    // was made. The probe itself never throws for what a server does: anything else is a bug.
    if (signal.aborted && error === signal.reason) return cancelled();
    ctx.bug(error, 'probe');
    ctx.log.finish(id, { outcome: 'failed', failure: 'internal', detail: INTERNAL_DETAIL });
    return undefined;
  }
  if (!result.ok && signal.aborted) return cancelled(result);
  if (!result.ok && result.failure === 'timeout' && untilDeadline < ctx.limits.probeTimeoutMs) {
    // The probe's time was the rest of the lookup's and ran out with it: the deadline stopped the try, not the
    // server (whichever timer fired first). The step stays open; the log closes it with the deadline's words.
    return { candidate, address, result, skipped: 'stopped at the lookup deadline' };
  }
  if (result.ok) ctx.log.finish(id, { outcome: 'found', detail: describeResult(address, result) });
  else ctx.log.finish(id, { outcome: 'failed', failure: STEP_FAILURE[result.failure], detail: describeResult(address, result) });
  return { candidate, address, result };
}

/** A probe's failure in the lookup's terms. */
const STEP_FAILURE: Record<ProbeFailureKind, StepFailure> = {
  'invalid-target': 'invalid',
  'not-allowed': 'not-allowed',
  cancelled: 'cancelled',
  refused: 'refused',
  timeout: 'timeout',
  network: 'network',
  closed: 'network',
  tls: 'tls',
  certificate: 'certificate',
  starttls: 'protocol',
  rejected: 'protocol',
  protocol: 'protocol',
  'too-large': 'protocol',
};

export function describe(candidate: Candidate): string {
  return serverLabel(candidate);
}

function describeResult(address: string, result: ProbeResult): string {
  if (!result.ok) return `${address}: ${result.error}`;
  const parts = [address, result.tlsVersion, result.auth.length > 0 ? `auth ${result.auth.join(' ')}` : 'no authentication offered'];
  if (result.certificate) parts.push(`certificate valid until ${result.certificate.validTo.slice(0, 10)}`);
  return parts.filter(Boolean).join(', ');
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'cancelled';
}
