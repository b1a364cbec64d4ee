// What discovery did not expect. Expected failures (DNS, refused, timeout, certificate, cancelled) are step
// outcomes; anything else thrown inside a lookup is a bug: it is logged with its stack, counted, and the step
// shows only that it broke. Never swallowed, never a log line with the asker's address.
import type { StepKind } from '../settings/steps.js';

/** The part of a logger discovery needs (pino's and fastify's loggers have it). */
export interface DiscoveryLogger {
  error(obj: Record<string, unknown>, msg: string): void;
}

/** Where a bug happened: a step, or the lookup around the steps. */
export type BugPlace = StepKind | 'lookup';

export interface BugContext {
  step: BugPlace;
  domain: string;
  /** The asker's address, removed from the message and stack before they are logged. */
  address?: string | undefined;
}

/** Until a logger is attached, bugs still show: one JSON line on stderr. */
const STDERR_LOGGER: DiscoveryLogger = {
  error(obj, msg) {
    process.stderr.write(`${JSON.stringify({ level: 'error', msg, ...obj })}\n`);
  },
};

export class DiscoveryBugs {
  private logger: DiscoveryLogger;
  private readonly listeners: ((step: BugPlace) => void)[] = [];
  /** Bugs reported so far. */
  count = 0;

  constructor(logger?: DiscoveryLogger) {
    this.logger = logger ?? STDERR_LOGGER;
  }

  /** Logs to `logger` from now on (the service attaches its own once the app exists). */
  useLogger(logger: DiscoveryLogger): void {
    this.logger = logger;
  }

  /** Told about every bug (the metrics count them). */
  onBug(listener: (step: BugPlace) => void): void {
    this.listeners.push(listener);
  }

  report(error: unknown, where: BugContext): void {
    this.count++;
    const clean = redactor(where.address);
    const err = error instanceof Error ? { type: error.name, message: clean(error.message), stack: clean(error.stack ?? '') } : { type: typeof error, message: clean(String(error)) };
    this.logger.error({ err, step: where.step, domain: where.domain }, `discovery bug in step ${where.step}`);
    for (const listener of this.listeners) listener(where.step);
  }
}

function redactor(address: string | undefined): (text: string) => string {
  if (!address) return (text) => text;
  const forms = [...new Set([address, encodeURIComponent(address)])];
  return (text) => forms.reduce((out, form) => out.split(form).join('%EMAILADDRESS%'), text);
}
