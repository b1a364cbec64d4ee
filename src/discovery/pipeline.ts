// One lookup for a domain the provider database does not hold (the resolver asked it first): every network step at
// once under one deadline, merged into one MailConfig.
// Steps only wait for what they depend on (probing waits for the SRV and MX answers, one round trip, so its plan
// is complete); a result from a better-ranked source ends the lookup and cancels the rest.
import type { EmailAddress } from '../settings/address.js';
import type { MailConfig } from '../settings/model.js';
import type { LookupStep } from '../settings/resolver.js';
import type { ProviderStore } from '../providers/store.js';
import { ownAutoconfig } from './autoconfig.js';
import { ownAutodiscover } from './autodiscover.js';
import { StepLog, type LookupContext, type StepListener } from './context.js';
import type { Resolver } from './dns.js';
import { LookupDns } from './hosts.js';
import type { ConnectionLimiter } from './limiter.js';
import { mergeFindings, viaHttps, type Findings } from './merge.js';
import { mxAutoconfig, mxLookup, type MxFinding } from './mx.js';
import { limitsOf, DEFAULT_LOOKUP_TIMEOUT_MS, type DiscoveryOptions } from './options.js';
import { guessedHosts, planCandidates, probeCandidates } from './probing.js';
import { srvLookup, type SrvFinding } from './srv.js';
import { paccLookup } from './pacc.js';
import { davLookup, withDiscoveredServices } from './dav.js';
import type { NetworkGuard } from './types.js';
import type { BugPlace, DiscoveryBugs } from './bugs.js';

export interface PipelineDeps {
  store: ProviderStore;
  dns: Resolver;
  guard: NetworkGuard;
  limiter: ConnectionLimiter;
  options: DiscoveryOptions;
  bugs: DiscoveryBugs;
}

export interface DiscoveryResult {
  config?: MailConfig | undefined;
  steps: LookupStep[];
  /** Lowest TTL (seconds) of the DNS answers the lookup used. */
  ttl?: number | undefined;
  /** The domain does not exist: a definite negative answer. */
  nxdomain: boolean;
  /** Some step failed or the deadline cut it short: a negative answer may be temporary. */
  incomplete: boolean;
}

class Stop extends Error {}

export async function discover(domain: string, address: EmailAddress | undefined, deps: PipelineDeps, onStep?: StepListener): Promise<DiscoveryResult> {
  const bug = (error: unknown, step: BugPlace) => deps.bugs.report(error, { step, domain, address: address?.address });
  const log = new StepLog(onStep, bug);
  // The index still answers MX -> provider questions; the domain itself was looked up by the resolver.
  const index = deps.store.current();

  const timeoutMs = deps.options.lookupTimeoutMs || DEFAULT_LOOKUP_TIMEOUT_MS;
  const controller = new AbortController();
  const deadlineAt = performance.now() + timeoutMs;
  const stopWords = `stopped at the lookup deadline (${timeoutMs} ms)`;
  const deadline = new Promise<'deadline'>((resolve) => {
    const timer = setTimeout(() => {
      controller.abort(new Stop(stopWords));
      resolve('deadline');
    }, timeoutMs);
    // The service shutting down (SIGTERM) ends lookups still running at its shutdown deadline.
    const stop = deps.options.stop;
    const onStop = () => {
      controller.abort(new Stop('stopped: the service is shutting down'));
      resolve('deadline');
    };
    controller.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    }, { once: true });
    if (stop?.aborted) onStop();
    else stop?.addEventListener('abort', onStop, { once: true });
  });
  const dns = new LookupDns(deps.dns, deps.guard, controller.signal);
  const ctx: LookupContext = {
    domain,
    address,
    index,
    dns,
    guard: deps.guard,
    limiter: deps.limiter,
    options: deps.options,
    limits: limitsOf(deps.options),
    signal: controller.signal,
    deadlineAt,
    log,
    bug,
  };
  const findings: Findings = { attempts: [] };
  // CalDAV/CardDAV/JMAP (RFC 6764, RFC 8620) alongside the mail steps; their answer is waited for (within the deadline).
  const mxOnly = deps.options.mode === 'mx';
  // (Started after the mail steps, whose questions go out first.)
  const mail = mxOnly ? mxStep(ctx, findings) : runParallel(ctx, findings, controller);
  const dav = mxOnly ? Promise.resolve([]) : reported(ctx, 'lookup', davLookup(ctx));
  const run = mail.then(async (why) => {
    findings.services = (await dav) ?? [];
    return why;
  });
  const ended = await Promise.race([run, deadline]);
  // A probe whose time was the rest of the lookup's may end a moment before the deadline's own timer: late either way.
  const late = ended === 'deadline' || performance.now() >= deadlineAt;
  const why = late ? stopWords : `not needed: ${ended}`;
  if (!controller.signal.aborted) controller.abort(new Stop(why));
  log.close(late ? { outcome: 'failed', failure: 'timeout', detail: why } : { outcome: 'skipped', failure: 'cancelled', detail: why });

  const merged = mergeFindings(domain, findings);
  const config = merged && findings.services?.length ? withDiscoveredServices(merged, findings.services) : merged;
  return {
    config,
    steps: log.steps,
    ttl: dns.minTtl(),
    nxdomain: findings.mx?.nxdomain ?? false,
    incomplete: late || log.steps.some((s) => s.outcome === 'failed'),
  };
}

/**
 * MAILCONFIG_DISCOVERY=mx: the MX records, matched against the database (`purpose="mx"` and the providers' MX
 * hosts); DNS questions to the configured resolver only, no request or probe to anyone's servers.
 */
async function mxStep(ctx: LookupContext, findings: Findings): Promise<string> {
  findings.mx = await reported(ctx, 'mx', mxLookup(ctx));
  return findings.mx?.config ? 'the MX host matched the provider database' : 'MX lookup only (MAILCONFIG_DISCOVERY=mx)';
}

/** Everything at once; resolves with the words for why the rest is not needed. */
async function runParallel(ctx: LookupContext, findings: Findings, controller: AbortController): Promise<string> {
  // MX and SRV first: probing, the longest way through, waits for both.
  const mx = reported(ctx, 'mx', mxLookup(ctx)).then((finding) => {
    findings.mx = finding;
    // RFC 8020: below a name that does not exist nothing exists; every other question would be wasted.
    if (finding?.nxdomain) controller.abort(new Stop(`not needed: ${ctx.domain} does not exist`));
    return finding;
  });
  const srv = reported(ctx, 'srv', srvLookup(ctx)).then((finding) => (findings.srv = finding));
  // Warm the guessed names while SRV and MX are asked; probing starts when both answered.
  // (A bug there reaches the probe that awaits the same answer, which reports it; the warm-up itself only waits.)
  for (const host of new Set(Object.values(guessedHosts(ctx.domain)).flat())) void ctx.dns.resolveHost(host).catch(() => undefined);
  // The files' questions go out after the ones probing waits for (MX, SRV, the guessed names): on a busy resolver
  // the questions of the longest chain are answered first.
  const pacc = reported(ctx, 'pacc', paccLookup(ctx)).then((config) => (findings.pacc = config));
  const own = reported(ctx, 'autoconfig', ownAutoconfig(ctx)).then((config) => (findings.autoconfig = config));
  const outlook = reported(ctx, 'autodiscover', ownAutodiscover(ctx)).then((config) => (findings.autodiscover = config));
  const mxFile = mx.then(async (finding) => (findings.mxAutoconfig = finding ? await reported(ctx, 'mx-autoconfig', mxAutoconfig(ctx, finding)) : undefined));
  const probing = Promise.all([srv, mx]).then(([s, m]) => probe(ctx, findings, s, m));

  if (await pacc) return 'a PACC document verified by its DNS digest answered';
  const ownFile = await own;
  if (ownFile && viaHttps(ownFile)) return "the domain's own autoconfig file answered";
  if (await outlook) return "the domain's own Outlook Autodiscover answered";
  if ((await mx)?.config) return 'the MX host matched the provider database';
  if (ownFile) return "the domain's own autoconfig file answered (plain http)";
  if (await mxFile) return "the MX domain's autoconfig file answered";
  await probing;
  return 'all steps finished';
}

async function probe(ctx: LookupContext, findings: Findings, srv: SrvFinding | undefined, mx: MxFinding | undefined): Promise<void> {
  if (ctx.signal.aborted || mx?.config) return;
  const plan = planCandidates(ctx.domain, srv ?? { targets: [], notOffered: [], ignored: [] }, mx);
  await reported(ctx, 'probe', probeCandidates(ctx, plan, findings.attempts));
}

/**
 * Steps record their own failures (log.run never rejects); a rejection that still arrives here is a bug outside a
 * step's own code: reported, and the lookup goes on with what the other steps find.
 */
function reported<T>(ctx: LookupContext, step: BugPlace, promise: Promise<T>): Promise<T | undefined> {
  return promise.catch((error: unknown) => {
    ctx.bug(error, step);
    return undefined;
  });
}

