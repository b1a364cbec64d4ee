// `mailconfig certs`: the certificates in the state directory (what the ACME engine ordered), with issuer and expiry.
import { existsSync } from 'node:fs';
import { readStateDir } from '../acme/config.js';
import { FileCertificateStorage } from '../acme/storage.js';
import { formatTable } from './format.js';
import { processIo, type CliIo } from './io.js';

const USAGE = `Usage: mailconfig certs [--state-dir DIR] [--json]

Lists the certificates obtained by ACME: name, issuer, expiry, days left.
  --state-dir DIR  the state directory (default MAILCONFIG_STATE_DIR or ./state)
  --json           one JSON object per certificate, one per line
Exit code 0; 1 when a stored certificate cannot be read; 2 for bad options.
`;

const DAY = 86_400_000;

export async function runCerts(args: string[], io: CliIo = processIo(), now = Date.now()): Promise<number> {
  const env = io.env;
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(USAGE);
    return 0;
  }
  let dir = readStateDir(env);
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--state-dir' && args[i + 1]) dir = readStateDir({ MAILCONFIG_STATE_DIR: args[++i] });
    else if (arg.startsWith('--state-dir=')) dir = readStateDir({ MAILCONFIG_STATE_DIR: arg.slice('--state-dir='.length) });
    else {
      io.stderr.write(`mailconfig certs: unknown option "${arg}"\n\n${USAGE}`);
      return 2;
    }
  }
  if (!existsSync(dir)) {
    io.stdout.write(json ? '' : `No state directory at ${dir}: no certificate was ordered yet.\n`);
    return 0;
  }
  const storage = new FileCertificateStorage(dir);
  const rows: string[][] = [];
  const problems: string[] = [];
  for (const name of await storage.names()) {
    try {
      const cert = await storage.load(name);
      if (!cert) continue;
      const daysLeft = Math.floor((cert.notAfter.getTime() - now) / DAY);
      if (json) {
        io.stdout.write(`${JSON.stringify({ name, issuer: cert.issuer, notBefore: cert.notBefore.toISOString(), notAfter: cert.notAfter.toISOString(), daysLeft, directoryUrl: cert.directoryUrl })}\n`);
      }
      rows.push([name, cert.issuer, cert.notAfter.toISOString().slice(0, 19).replace('T', ' ') + 'Z', daysLeft < 0 ? 'expired' : String(daysLeft)]);
    } catch (error) {
      problems.push(`mailconfig certs: ${name}: ${(error as Error).message}`);
    }
  }
  if (!json) {
    if (rows.length === 0) io.stdout.write(`No certificates in ${dir}.\n`);
    else io.stdout.write(`${formatTable(['NAME', 'ISSUER', 'EXPIRES', 'DAYS LEFT'], rows).join('\n')}\n`);
  }
  for (const problem of problems) io.stderr.write(`${problem}\n`);
  return problems.length > 0 ? 1 : 0;
}
