// One step of a lookup as a value: what kind of step, what it looked at, how it ended and why. Routes and pages
// read the fields (never parse the words back); `stepLabel`/`stepText` give the words for logs and terminals.
import type { Protocol, Security } from './model.js';
import { SECURITY_MODES } from './security.js';

/** The steps the database resolver and live discovery (src/discovery) take. */
export const STEP_KINDS = ['database', 'cache', 'autoconfig', 'autoconfig-http', 'well-known', 'autodiscover', 'mx', 'mx-autoconfig', 'srv', 'host', 'probe', 'pacc', 'caldav', 'carddav', 'jmap'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const STEP_OUTCOMES = ['found', 'nothing', 'failed', 'skipped'] as const;
export type StepOutcome = (typeof STEP_OUTCOMES)[number];

/**
 * Why a step ended without a result, for failed and skipped steps: the expected failures of a lookup, plus
 * `internal` for a bug (logged with its stack and counted; the step shows only that it broke).
 */
export const STEP_FAILURES = ['dns', 'refused', 'timeout', 'certificate', 'cancelled', 'not-allowed', 'network', 'tls', 'protocol', 'invalid', 'internal'] as const;
export type StepFailure = (typeof STEP_FAILURES)[number];

/** The server a probe step connected to (the standard port, whatever port tests map it to). */
export interface StepServer {
  host: string;
  port: number;
  protocol: Protocol;
  security: Security;
}

/** One step of a lookup, for `?explain=1`, the setup pages and the CLI's progress lines. */
export interface LookupStep {
  kind: StepKind;
  /** What the step looked at: a domain, a host name, host:port, or a URL without its query. Never an e-mail address. */
  subject: string;
  outcome: StepOutcome;
  /** Why a failed or skipped step found nothing. */
  failure?: StepFailure;
  /** Probe steps: the server tried. */
  server?: StepServer;
  /** What happened, in words (server answers quoted; the asker's address shown as its placeholder). */
  detail: string;
  ms: number;
}


/** `imap.example.org:993 (imap, TLS)` */
export function serverLabel(server: StepServer): string {
  return `${server.host}:${server.port} (${server.protocol}, ${SECURITY_MODES[server.security].short})`;
}

/** The step's name in words: `mx`, `host imap.example.org`, `probe imap.example.org:993 (imap, TLS)`. */
export function stepLabel(step: Pick<LookupStep, 'kind' | 'subject' | 'server'>): string {
  if (step.server) return `${step.kind} ${serverLabel(step.server)}`;
  return step.kind === 'host' || step.kind === 'mx-autoconfig' || step.kind === 'autodiscover' ? `${step.kind} ${step.subject}` : step.kind;
}

/** One line for people: `probe imap.example.org:993 (imap, TLS): failed: connection refused`. */
export function stepText(step: LookupStep): string {
  return `${stepLabel(step)}: ${step.outcome}${step.detail ? `: ${step.detail}` : ''}`;
}
