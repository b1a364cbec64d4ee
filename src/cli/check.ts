// `mailconfig check <domain> [--json]` and `mailconfig check --all`: the domain check from the command line, with
// the service's configuration (MAILCONFIG_DNS, MAILCONFIG_HOSTNAMES, MAILCONFIG_SERVICE_ADDRESSES, ...).
import { parseArgs } from 'node:util';
import { DomainChecker } from '../check/checker.js';
import { reportJson } from '../check/json.js';
import { CHECK_IDS, type Check, type CheckReport } from '../check/types.js';
import { ConfigError, loadConfig } from '../config.js';
import { systemDnsServers } from '../discovery/dns.js';
import { openProviderDatabase } from '../providers/database.js';
import { StaticProviderStore } from '../providers/store.js';
import { AddressError, parseDomain } from '../settings/address.js';
import { formatTable } from './format.js';
import type { CliIo } from './io.js';

const USAGE = `Usage: mailconfig check <domain> [--json]
       mailconfig check --all [--concurrency N]

  Checks whether a customer's domain is set up so that every mail client finds its settings here: mx,
  autoconfig, autodiscover, srv, pacc, caldav, carddav, servers (each ok, warn, fail or info, why, and the fix),
  and prints the zone-file lines to add or change. --all checks every domain of the provider database.
  Each check's line is printed (stderr) as soon as it is decided; --json prints the JSON API document (stdout).
  Exit code: 0 no check failed, 1 some check failed, 2 usage error, 78 configuration error.
`;

/** What was wrong with the arguments, in words of our own: never the input itself (it may carry markup or codes). */
const ARGUMENT_ERRORS: Record<string, string> = {
  ERR_PARSE_ARGS_UNKNOWN_OPTION: 'an option is not known',
  ERR_PARSE_ARGS_INVALID_OPTION_VALUE: 'an option is missing its value, or has a value it does not take',
  ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL: 'an argument is not expected',
};

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: 'info' } as const;

export async function runCheck(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, all: { type: 'boolean' }, concurrency: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    io.stderr.write(`mailconfig check: ${(typeof code === 'string' && ARGUMENT_ERRORS[code]) || 'the arguments could not be read'}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (values.all ? positionals.length !== 0 : positionals.length !== 1) {
    io.stderr.write(`mailconfig check: give one domain, or --all\n\n${USAGE}`);
    return 2;
  }
  const concurrency = values.concurrency === undefined ? 4 : /^[0-9]{1,2}$/.test(values.concurrency) ? Number(values.concurrency) : NaN;
  if (!(concurrency >= 1 && concurrency <= 32)) {
    io.stderr.write(`mailconfig check: --concurrency must be a whole number from 1 to 32\n`);
    return 2;
  }
  let domain = '';
  if (!values.all) {
    try {
      domain = parseDomain(positionals[0]!);
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      // The parser's words, except where they would quote the input.
      const why = error.code === 'MAILCONFIG_ADDRESS_DOMAIN_INVALID' ? 'it has characters or labels a domain name cannot have' : error.message;
      io.stderr.write(`mailconfig check: the argument is not a domain name: ${why} (${error.code})\n`);
      return 2;
    }
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
  const checker = new DomainChecker(new StaticProviderStore(index), {
    dnsServers: config.discovery.dnsServers ?? systemDnsServers(),
    allowNetworks: config.discovery.allowNetworks,
    identity: { hostnames: config.hostnames, addresses: config.serviceAddresses },
    timeoutMs: config.discovery.lookupTimeoutMs,
    ...io.network,
  });

  if (!values.all) {
    io.stderr.write(`checking ${domain} ...\n`);
    const report = await checker.check(domain, { onCheck: (c) => io.stderr.write(checkLines(c)) });
    const count = (status: Check['status']) => report.checks.filter((c) => c.status === status).length;
    io.stderr.write(`${domain}: ${count('fail')} failed, ${count('warn')} warnings, ${count('ok')} ok, ${count('info')} notes\n`);
    if (values.json) io.stdout.write(`${JSON.stringify(reportJson(report), null, 2)}\n`);
    else io.stdout.write(report.records);
    return count('fail') > 0 ? 1 : 0;
  }

  const domains = [...new Set(index.entries().flatMap((entry) => entry.config.domains))].sort();
  const reports: CheckReport[] = [];
  let next = 0;
  let done = 0;
  const bar = () => {
    if (!io.stderr.isTTY) return;
    const width = Math.max(10, Math.min(40, (io.stderr.columns ?? 80) - 30));
    const filled = Math.round((done / Math.max(1, domains.length)) * width);
    io.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${domains.length}`);
  };
  const worker = async () => {
    while (next < domains.length) {
      const item = domains[next++]!;
      reports.push(await checker.check(item));
      done++;
      if (io.stderr.isTTY) bar();
      else io.stderr.write(`checked ${item} (${done}/${domains.length})\n`);
    }
  };
  bar();
  await Promise.all(Array.from({ length: Math.min(concurrency, domains.length) }, worker));
  if (io.stderr.isTTY) io.stderr.write('\n');
  reports.sort((a, b) => a.domain.localeCompare(b.domain));
  const rows = reports.map((r) => [r.domain, ...r.checks.map((c) => c.status)]);
  io.stdout.write(`${formatTable(['DOMAIN', ...CHECK_IDS.map((id) => id.toUpperCase())], rows).join('\n')}\n`);
  const failed = reports.filter((r) => r.checks.some((c) => c.status === 'fail')).length;
  io.stdout.write(`${reports.length} domains checked, ${failed} with a failed check\n`);
  return failed > 0 ? 1 : 0;
}

/** A check's progress line (status, id, why) and, when there is something to do, its fix. */
function checkLines(c: Check): string {
  const fix = c.fix && c.status !== 'ok' && c.status !== 'info' ? `     ${''.padEnd(12)} fix: ${c.fix}\n` : '';
  return `${MARK[c.status]} ${c.id.padEnd(12)} ${c.message}\n${fix}`;
}
