import { parseArgs } from 'node:util';
import { BUNDLED_PROVIDERS } from '../config.js';
import { dnsPlan, zoneLines } from '../formats/dns-records.js';
import { renderPacc } from '../formats/pacc.js';
import { openProviderDatabase } from '../providers/database.js';
import { AddressError, parseDomain } from '../settings/address.js';
import { displayPath } from './format.js';
import type { CliIo } from './io.js';

const USAGE = `Usage: mailconfig dns <domain> [--service-host HOST] [--provider ID] [--ttl SECONDS] [--dir providers]

  Prints, as zone-file lines, every DNS record <domain> should publish so that clients find its settings here:
  the PACC host and digest (_ua-auto-config TXT), autoconfig and autodiscover names, RFC 6186 mail SRV records,
  RFC 6764 CalDAV/CardDAV SRV + TXT path, RFC 8620 JMAP SRV; "0 0 0 ." marks a service that is not offered.
  --service-host  this service's host name (default: the host of MAILCONFIG_PUBLIC_URL)
  --provider      the provider file (without .xml) for a customer domain that is not listed in it (hosted by MX)
  --dir           a provider directory: give the changed one to get the new digest before deploying a change
  Never looks anything up in DNS.
`;

class UsageError extends Error {}

export async function runDns(args: string[], io: CliIo): Promise<number> {
  try {
    return await dnsCommand(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`mailconfig dns: ${error.message}\n\n${USAGE}`);
    return 2;
  }
}

async function dnsCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'service-host': { type: 'string' },
        provider: { type: 'string' },
        ttl: { type: 'string' },
        dir: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const target = positionals[0];
  if (!target || positionals.length > 1) throw new UsageError('name one domain');
  let domain: string;
  try {
    domain = parseDomain(target);
  } catch (error) {
    if (error instanceof AddressError) throw new UsageError(`"${target}": ${error.message}`);
    throw error;
  }
  const serviceHost = values['service-host']?.trim() || hostOf(io.env.MAILCONFIG_PUBLIC_URL);
  if (!serviceHost) throw new UsageError('give --service-host (this service\'s host name) or set MAILCONFIG_PUBLIC_URL');
  try {
    parseDomain(serviceHost);
  } catch (error) {
    if (error instanceof AddressError) throw new UsageError(`--service-host "${serviceHost}": ${error.message}`);
    throw error;
  }
  const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 60 && ttl <= 604800)) throw new UsageError(`--ttl "${values.ttl}" must be a whole number of seconds from 60 to 604800`);
  const dir = values.dir ?? BUNDLED_PROVIDERS;
  const { index } = await openProviderDatabase(dir);
  const entry = values.provider !== undefined ? index.get(values.provider.replace(/\.xml$/, '')) : index.byDomain(domain);
  if (!entry) {
    const what = values.provider !== undefined ? `no provider file ${values.provider.replace(/\.xml$/, '')}.xml` : `${domain} is not an address domain of any provider (for a customer domain hosted by MX, add --provider ID)`;
    io.stderr.write(`mailconfig dns: ${what} in ${displayPath(dir, '', io.cwd)}\n`);
    return 1;
  }
  const plan = dnsPlan(entry.config, domain, { serviceHost, ttl, pacc: renderPacc(entry.config, domain) });
  io.stdout.write(`${zoneLines(plan).join('\n')}\n`);
  return 0;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}
