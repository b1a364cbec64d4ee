// `mailconfig lookup alice@example.org [--json] [--explain]`: the service's pipeline from the command line, with
// each step shown as it finishes (a coloured progress line per step on a terminal, plain lines when piped).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { explainSteps, settingsDocument } from '../formats/settings-json.js';
import { openProviderDatabase } from '../providers/database.js';
import { AddressError, parseAddressOrDomain, type EmailAddress } from '../settings/address.js';
import type { MailConfig, ServerSettings } from '../settings/model.js';
import { personalize } from '../settings/placeholders.js';
import { rankServers } from '../settings/preference.js';
import { SECURITY_MODES } from '../settings/security.js';
import type { LookupStep } from '../settings/resolver.js';
import { stepLabel, stepText } from '../settings/steps.js';
import { StaticProviderStore } from '../providers/store.js';
import { buildResolver } from '../service.js';
import { formatTable } from './format.js';
import type { CliIo } from './io.js';

const USAGE = `Usage: mailconfig lookup <address|domain> [--json] [--explain]

Finds the mail settings for an address the way the service does: the provider database, then live
discovery (the domain's autoconfig file, MX, SRV records, port probing). Each step is shown on stderr as it
finishes; the settings go to stdout.

  --json      print the settings as the JSON API does (GET /api/v1/settings)
  --explain   also list every step with its outcome and timing

Configured by the service's environment variables (MAILCONFIG_DNS, MAILCONFIG_LOOKUP_TIMEOUT, ...; see README).
Exit code: 0 settings found, 1 nothing found, 2 usage error, 78 configuration error.
`;

export async function runLookup(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, explain: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.stderr.write(`mailconfig lookup: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    io.stderr.write(`mailconfig lookup: give one address (or domain)\n\n${USAGE}`);
    return 2;
  }
  let target: { domain: string; address?: EmailAddress };
  try {
    target = parseAddressOrDomain(positionals[0]!);
  } catch (error) {
    if (!(error instanceof AddressError)) throw error;
    io.stderr.write(`mailconfig lookup: "${positionals[0]}": ${error.message}\n`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`mailconfig: configuration error: ${error.message}\n`);
    return 78;
  }

  const { index } = await openProviderDatabase(config.providersDir);
  const progress = new Progress(io.stderr, target.domain);
  const resolution = await buildResolver(config, new StaticProviderStore(index)).resolve(target.domain, target.address, (step) => progress.step(step));
  progress.done();

  const { config: found, steps } = resolution;
  if (values.json) {
    const document = found && target.address ? settingsDocument(found, target.address, values.explain ? steps : undefined) : { domain: target.domain, config: found ?? null, ...(values.explain ? { steps: explainSteps(steps) } : {}) };
    io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.stdout.write(found ? describeSettings(found, target.address) : `No mail settings found for ${target.domain}.\n`);
    if (values.explain) io.stdout.write(`\nSteps:\n${formatTable(['step', 'outcome', 'ms', 'detail'], steps.map((s) => [stepLabel(s), s.outcome, String(s.ms), printable(s.detail)])).join('\n')}\n`);
  }
  return found ? 0 : 1;
}

/** Progress on stderr: on a terminal a coloured line per finished step under a live status line; piped, plain lines. */
class Progress {
  private readonly tty: boolean;
  private count = 0;
  private readonly started = performance.now();

  constructor(
    private readonly out: CliIo['stderr'],
    private readonly domain: string,
  ) {
    this.tty = out.isTTY === true;
    if (this.tty) this.status();
  }

  step(step: LookupStep): void {
    this.count++;
    const line = printable(`${stepText(step)} (${step.ms} ms)`);
    if (!this.tty) {
      this.out.write(`${line}\n`);
      return;
    }
    const width = Math.max(40, (this.out.columns ?? 100) - 1);
    const mark = { found: '\x1b[32m✓\x1b[0m', nothing: '\x1b[2m·\x1b[0m', failed: '\x1b[31m✗\x1b[0m', skipped: '\x1b[2m-\x1b[0m' }[step.outcome];
    this.out.write(`\r\x1b[K${mark} ${truncate(line, width - 2)}\n`);
    this.status();
  }

  done(): void {
    if (this.tty) this.out.write('\r\x1b[K');
  }

  private status(): void {
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    this.out.write(`\r\x1b[K\x1b[2mlooking up ${this.domain}: ${this.count} steps done, ${seconds} s\x1b[0m`);
  }
}

function describeSettings(config: MailConfig, address: EmailAddress | undefined): string {
  const personal = personalize(config, address);
  const who = address ? address.address : config.domains[0] ?? config.id;
  const lines = [`Settings for ${who}: ${personal.displayName ?? personal.id} (${personal.source.detail}, confidence ${personal.source.confidence})`, ''];
  const servers = rankServers(personal.servers);
  lines.push(...formatTable(['protocol', 'host', 'port', 'security', 'username', 'authentication', 'source'], servers.map(row)).map((l) => `  ${l}`));
  const services = personal.services ?? [];
  // Calendars, contacts, JMAP and files: from the provider file or found by RFC 6764 / RFC 8620 discovery.
  if (services.length > 0) lines.push('', ...services.map((s) => `  ${s.protocol.padEnd(8)} ${printable(s.url)}  (${s.auth.join(', ')}; ${s.source.kind})`));
  const warnings = [
    ...servers.flatMap((s) => (s.warnings ?? []).map((w) => `${s.protocol.toUpperCase()} ${s.host}:${s.port}: ${w}`)),
    ...services.flatMap((s) => (s.warnings ?? []).map((w) => `${s.protocol} ${s.url}: ${w}`)),
  ];
  if (warnings.length > 0) lines.push('', 'Warnings:', ...warnings.map((w) => `  - ${w}`));
  return `${lines.join('\n')}\n`;
}

function row(server: ServerSettings): string[] {
  const mode = SECURITY_MODES[server.security];
  const security = mode.encrypted ? mode.word : `${mode.word} (insecure)`;
  return [server.protocol.toUpperCase(), server.host, String(server.port), security, server.username, server.auth.join(', '), `${server.source.kind} (${server.source.confidence})`];
}

/** Text from the network never reaches the terminal with control characters (escape sequences). */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}
