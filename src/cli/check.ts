// `mailconfig check <domain> [--json]` and `mailconfig check --all`: the domain check from the command line, with
// the service's configuration (MAILCONFIG_DNS, MAILCONFIG_HOSTNAMES, MAILCONFIG_SERVICE_ADDRESSES, ...).
import { parseArgs } from 'node:util';
import { DomainChecker } from '../check/checker.js';
import type { CheckReport } from '../check/types.js';
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
  Exit code: 0 no check failed, 1 some check failed, 2 usage error, 78 configuration error.
`;

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: 'info' } as const;

export async function runCheck(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, all: { type: 'boolean' }, concurrency: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    io.stderr.write(`mailconfig check: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
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
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    io.stderr.write(`mailconfig check: --concurrency "${values.concurrency}" must be a whole number from 1 to 32\n`);
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
  const checker = new DomainChecker(new StaticProviderStore(index), {
    dnsServers: config.discovery.dnsServers ?? systemDnsServers(),
    allowNetworks: config.discovery.allowNetworks,
    identity: { hostnames: config.hostnames, addresses: config.serviceAddresses },
    timeoutMs: config.discovery.lookupTimeoutMs,
  });

  if (!values.all) {
    let domain: string;
    try {
      domain = parseDomain(positionals[0]!);
    } catch (error) {
      if (!(error instanceof AddressError)) throw error;
      io.stderr.write(`mailconfig check: "${positionals[0]}": ${error.message}\n`);
      return 2;
    }
    io.stderr.write(`checking ${domain} ...\n`);
    const report = await checker.check(domain);
    if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      for (const c of report.checks) {
        io.stderr.write(`${MARK[c.status]} ${c.id.padEnd(12)} ${c.message}\n`);
        if (c.fix && c.status !== 'ok' && c.status !== 'info') io.stderr.write(`     ${''.padEnd(12)} fix: ${c.fix}\n`);
      }
      io.stdout.write(report.records);
    }
    return report.checks.some((c) => c.status === 'fail') ? 1 : 0;
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
      const domain = domains[next++]!;
      reports.push(await checker.check(domain));
      done++;
      if (io.stderr.isTTY) bar();
      else io.stderr.write(`checked ${domain} (${done}/${domains.length})\n`);
    }
  };
  bar();
  await Promise.all(Array.from({ length: Math.min(concurrency, domains.length) }, worker));
  if (io.stderr.isTTY) io.stderr.write('\n');
  reports.sort((a, b) => a.domain.localeCompare(b.domain));
  const ids = reports[0]?.checks.map((c) => c.id) ?? [];
  const rows = reports.map((r) => [r.domain, ...r.checks.map((c) => c.status)]);
  io.stdout.write(`${formatTable(['DOMAIN', ...ids.map((id) => id.toUpperCase())], rows).join('\n')}\n`);
  const failed = reports.filter((r) => r.checks.some((c) => c.status === 'fail')).length;
  io.stdout.write(`${reports.length} domains checked, ${failed} with a failed check\n`);
  return failed > 0 ? 1 : 0;
}
