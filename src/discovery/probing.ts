// Port probing: connect to candidate hosts on the mail ports and record what really answers. Candidates come in
// the reference client's order (implicit TLS before STARTTLS, IMAP before POP3); within a protocol the tries start
// one after another with a short head start (Happy Eyeballs), and once a try succeeds, worse-ranked tries are
// cancelled, as Thunderbird does.
import { PROTOCOLS, type Protocol, type Security } from '../settings/model.js';
import { serverLabel, type StepFailure, type StepServer } from '../settings/steps.js';
import { INTERNAL_DETAIL, type LookupContext, type StepId } from './context.js';
import { certificateNames, onlyTheNameIsWrong } from './cert-names.js';
import { describeUnusable } from './hosts.js';
import { probe } from './probe/index.js';
import type { MxFinding } from './mx.js';
import { MAIL_PORTS, type SrvFinding, type SrvTarget } from './srv.js';
import type { CertificateFacts, ProbeFailureKind, ProbeResult } from './types.js';

export interface Candidate {
  host: string;
  /** The standard port; tests may map it to another (options.mapPort), reports always show this one. */
  port: number;
  protocol: Protocol;
  security: Security;
  /** The SRV record that named this target, when one did. */
  srv?: SrvTarget;
  /**
   * Why this host is tried: an SRV record, a guess from the domain name, a guess under the MX host's domain
   * (`imap.<MX domain>`), or the best MX host itself (small self-hosted domains run everything there).
   */
  origin: 'srv' | 'guess' | 'mx' | 'mx-host';
  /**
   * Set when this host is tried instead of a planned one whose certificate is valid except that it names this host
   * (shared hosting): the planned host, and whether this host is its alias target.
   */
  certificateFor?: { host: string; alias: boolean };
}

export interface ProbeAttempt {
  candidate: Candidate;
  /** Position in its protocol's plan (0 = best ranked), so results are used in rank order, not finishing order. */
  rank: number;
  address?: string;
  result?: ProbeResult;
  /** Why no conversation took place (host unusable, cancelled) when there is no result. */
  skipped?: string;
  /** The host had no address that may be used: nothing to offer, not even unconfirmed. */
  unusable?: true;
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
/** The MX host is asked for submission only: its port 25 is where mail arrives, not where people send it. */
const MX_HOST_PORTS: Record<Protocol, readonly [number, Security][]> = { ...PORTS, smtp: PORTS.smtp.filter(([port]) => port !== 25) };
/**
 * Tries per protocol at most (the SRV targets count), so a lookup stays a handful of connections; with the head
 * start between tries, the later ones only run when the earlier ones fail.
 */
const MAX_TRIES_PER_PROTOCOL = 16;

/** Thunderbird's guesses: incoming imap.D, pop3.D, pop.D, mail.D, D; outgoing smtp.D, mail.D, D. */
export function guessedHosts(domain: string): Record<Protocol, string[]> {
  return {
    imap: [`imap.${domain}`, `mail.${domain}`, domain],
    pop3: [`pop3.${domain}`, `pop.${domain}`, `mail.${domain}`, domain],
    smtp: [`smtp.${domain}`, `mail.${domain}`, domain],
  };
}

/**
 * The full plan: SRV targets first, then the guesses, then names under the MX host's domain, then the best MX host
 * itself (as FairEmail does); duplicates once.
 */
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
    if (mx?.host) {
      for (const [port, security] of MX_HOST_PORTS[protocol]) {
        if (!refused.includes(security)) add({ host: mx.host, port, protocol, security, origin: 'mx-host' });
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
  const shared: Shared = { reported: new Set(), instead: new Map() };
  await Promise.all(PROTOCOLS.map((protocol) => runGroup(ctx, plan[protocol], attempts, shared)));
}

/** What the tries of one lookup share: hosts already reported as unusable, tries made instead of a refused name. */
interface Shared {
  reported: Set<string>;
  /** `host:port:security` of a certificate-name try -> its outcome, so two refused names lead to one probe. */
  instead: Map<string, Promise<ProbeAttempt | undefined>>;
}

/**
 * One protocol's tries in rank order, Happy Eyeballs style: each starts when the one before it failed or after a
 * short head start. A success cancels every worse-ranked try; better-ranked ones still running get until their
 * patience runs out (counted from their own start), so a silent first target does not hold the answer for a
 * whole probe timeout, and the best try that answers in time wins.
 */
async function runGroup(ctx: LookupContext, candidates: Candidate[], attempts: ProbeAttempt[], shared: Shared): Promise<void> {
  const { probeHeadStartMs, probePatienceMs } = ctx.limits;
  const controllers = candidates.map(() => new AbortController());
  const gates = candidates.map(() => gate());
  const startedAt: (number | undefined)[] = [];
  const finished: boolean[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const open = (rank: number) => gates[rank]?.resolve();
  // At the deadline every try not yet started is opened, to be recorded as cancelled.
  const openAll = () => gates.forEach((gate) => gate.resolve());
  ctx.signal.addEventListener('abort', openAll, { once: true });
  open(0);
  try {
    await Promise.all(
      candidates.map(async (candidate, rank) => {
        await gates[rank]!.promise;
        startedAt[rank] = performance.now();
        later(probeHeadStartMs, () => open(rank + 1));
        const signal = AbortSignal.any([ctx.signal, controllers[rank]!.signal]);
        const { planned, instead } = await tryCandidate(ctx, candidate, rank, signal, shared);
        if (planned) attempts.push(planned);
        const other = await instead;
        if (other && !attempts.includes(other)) attempts.push(other);
        const attempt = other?.result?.ok ? other : planned;
        finished[rank] = true;
        if (!attempt?.result?.ok) return open(rank + 1);
        controllers.forEach((controller, other) => {
          if (other > rank) {
            controller.abort(new Error(`not needed: ${describe(candidate)} answered first`));
            open(other);
          }
        });
        for (let better = 0; better < rank; better++) {
          const since = startedAt[better];
          if (since === undefined || finished[better]) continue;
          const giveUp = new Error(`no answer within ${probePatienceMs} ms while ${describe(candidate)} answered`);
          later(Math.max(0, since + probePatienceMs - performance.now()), () => controllers[better]!.abort(giveUp));
        }
      }),
    );
  } finally {
    ctx.signal.removeEventListener('abort', openAll);
    for (const timer of timers) clearTimeout(timer);
  }
}

/**
 * One try as a step. No attempt when the host has no usable address (reported once per host as its own step).
 * `instead`: the try of a name the certificate covers, started the moment the handshake showed a certificate that is
 * valid except for this host's name (see tryCertificateNames).
 */
async function tryCandidate(ctx: LookupContext, candidate: Candidate, rank: number, signal: AbortSignal, shared: Shared): Promise<{ planned?: ProbeAttempt | undefined; instead?: Promise<ProbeAttempt | undefined> | undefined }> {
  if (signal.aborted) {
    // Cancelled before its turn came: not even resolved.
    const id: StepId = { kind: 'probe', subject: `${candidate.host}:${candidate.port}`, server: stepServer(candidate) };
    ctx.log.start(id);
    ctx.log.finish(id, { outcome: 'skipped', failure: 'cancelled', detail: reasonOf(signal) });
    return { planned: { candidate, rank, skipped: reasonOf(signal) } };
  }
  const vetted = await ctx.dns.resolveHost(candidate.host);
  const address = vetted.addresses[0];
  if (!address) {
    if (!shared.reported.has(candidate.host)) {
      shared.reported.add(candidate.host);
      const id: StepId = { kind: 'host', subject: candidate.host };
      ctx.log.start(id);
      const detail = describeUnusable(vetted);
      if (vetted.refused.length > 0) ctx.log.finish(id, { outcome: 'skipped', failure: 'not-allowed', detail });
      else if (vetted.error) ctx.log.finish(id, { outcome: 'failed', failure: 'dns', detail });
      else ctx.log.finish(id, { outcome: 'nothing', detail });
    }
    return { planned: candidate.origin === 'srv' ? { candidate, rank, skipped: describeUnusable(vetted), unusable: true } : undefined };
  }
  let instead: Promise<ProbeAttempt | undefined> | undefined;
  const onCertificate = (facts: CertificateFacts) => {
    if (!candidate.certificateFor && onlyTheNameIsWrong(facts)) instead = tryCertificateNames(ctx, candidate, rank, address, facts, signal, shared);
  };
  const planned = await probeAt(ctx, candidate, rank, address, signal, '', onCertificate);
  return { planned, instead };
}

function stepServer(candidate: Candidate): StepServer {
  return { host: candidate.host, port: candidate.port, protocol: candidate.protocol, security: candidate.security };
}

/** One conversation with `candidate` at the vetted `address`, as a step; `note` adds words to its detail. */
async function probeAt(
  ctx: LookupContext,
  candidate: Candidate,
  rank: number,
  address: string,
  signal: AbortSignal,
  note = '',
  onCertificate?: (facts: CertificateFacts) => void,
): Promise<ProbeAttempt | undefined> {
  const id: StepId = { kind: 'probe', subject: `${candidate.host}:${candidate.port}`, server: stepServer(candidate) };
  const cancelled = (result?: ProbeResult): ProbeAttempt => {
    ctx.log.finish(id, { outcome: 'skipped', failure: 'cancelled', detail: reasonOf(signal) });
    return result ? { candidate, rank, address, result, skipped: reasonOf(signal) } : { candidate, rank, address, skipped: reasonOf(signal) };
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
      () => probe({ host: candidate.host, address, port, protocol: candidate.protocol, security: candidate.security }, { timeoutMs, signal, ca: ctx.options.ca, ehloName: ctx.options.ehloName, guard: ctx.guard, onCertificate }),
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
    return { candidate, rank, address, result, skipped: 'stopped at the lookup deadline' };
  }
  if (result.ok) ctx.log.finish(id, { outcome: 'found', detail: describeResult(address, result) + note });
  else ctx.log.finish(id, { outcome: 'failed', failure: STEP_FAILURE[result.failure], detail: describeResult(address, result) + note });
  return { candidate, rank, address, result };
}

/**
 * Shared hosting: the planned host's certificate is valid except for its name. The alias target and the names the
 * certificate covers are tried instead, each only when it resolves to the very address that was probed, and
 * offered only when its own probe (its own name in SNI and in the certificate check) succeeds. Never the
 * refused name itself. Runs beside the rest of the refused host's conversation.
 */
async function tryCertificateNames(
  ctx: LookupContext,
  candidate: Candidate,
  rank: number,
  address: string,
  certificate: CertificateFacts,
  signal: AbortSignal,
  shared: Shared,
): Promise<ProbeAttempt | undefined> {
  const aliases = (await ctx.dns.resolveHost(candidate.host)).aliases;
  const names = certificateNames(candidate.host, aliases, certificate);
  // Asked all at once, used in order: the alias target (usually known from the alias' own answer) goes first
  // without waiting for the others.
  const lookups = names.map((name) => ctx.dns.resolveHost(name));
  // A lookup left behind when an earlier name answered must not become an unhandled rejection; the awaited ones
  // still throw (a bug, which the probe step reports).
  for (const lookup of lookups) lookup.catch(() => undefined);
  for (const lookup of lookups) {
    const host = await lookup;
    if (!host.addresses.includes(address) || signal.aborted) continue;
    const alias = aliases.includes(host.host);
    const instead: Candidate = { ...candidate, host: host.host, certificateFor: { host: candidate.host, alias } };
    delete instead.srv;
    const key = `${instead.host}:${instead.port}:${instead.security}`;
    let outcome = shared.instead.get(key);
    if (!outcome) {
      const why = alias ? `${candidate.host} is an alias of it` : `the certificate of ${candidate.host} names it`;
      outcome = probeAt(ctx, instead, rank, address, signal, ` (instead of ${candidate.host}: ${why}, same address)`);
      shared.instead.set(key, outcome);
    }
    const attempt = await outcome;
    if (attempt?.result?.ok) return attempt;
  }
  return undefined;
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
  'old-tls': 'tls',
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

/** A promise opened from outside, once. */
function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'cancelled';
}
