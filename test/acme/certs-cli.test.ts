// `mailconfig certs`: the state directory's certificates as a table or JSON lines; read-only; damaged files reported.
import t from 'tap';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { main } from '../../src/cli/main.js';
import { FileCertificateStorage } from '../../src/acme/storage.js';
import { makeTestPki } from '../helpers/certs.js';

const NAME = 'autoconfig.example.net';
const pki = await makeTestPki([NAME]);

/** Runs the CLI in-process and captures what it writes. */
async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const [write, writeErr] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(chunk) > 0) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

t.test('lists names, issuer and expiry', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-certs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const state = join(dir, 'state');
  const storage = new FileCertificateStorage(state);
  await storage.save({ name: NAME, key: pki.valid.key, cert: pki.valid.cert, directoryUrl: 'https://ca.invalid/dir' });
  const expires = new X509Certificate(pki.valid.cert).validTo;

  const table = await cli(['certs', '--state-dir', state]);
  t.equal(table.code, 0);
  const lines = table.out.trim().split('\n');
  t.match(lines[0], /^NAME\s+ISSUER\s+EXPIRES\s+DAYS LEFT$/);
  t.match(lines[1], new RegExp(`^${NAME.replace(/\./g, '\\.')}\\s+mailconfig test CA\\s+${new Date(expires).toISOString().slice(0, 10)} \\S+Z\\s+(29|30)$`));

  const json = await cli(['certs', `--state-dir=${state}`, '--json']);
  const row = JSON.parse(json.out) as { name: string; issuer: string; notAfter: string; directoryUrl: string };
  t.same([row.name, row.issuer, row.notAfter, row.directoryUrl], [NAME, 'mailconfig test CA', new Date(expires).toISOString(), 'https://ca.invalid/dir']);

  await writeFile(join(state, 'certificates', 'broken.example.json'), '{"name":');
  const damaged = await cli(['certs', '--state-dir', state]);
  t.equal(damaged.code, 1, 'a damaged file: exit 1');
  t.match(damaged.err, /broken\.example: .*broken\.example\.json is not JSON/);
  t.match(damaged.out, new RegExp(NAME.replace(/\./g, '\\.')), 'the readable ones are still listed');
});

t.test('no state directory, bad options; nothing is created', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-certs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const none = await cli(['certs', '--state-dir', join(dir, 'state')]);
  t.equal(none.code, 0);
  t.match(none.out, /No state directory at .*: no certificate was ordered yet/);
  t.same(await readdir(dir), [], 'listing creates nothing');
  const bad = await cli(['certs', '--renew']);
  t.equal(bad.code, 2);
  t.match(bad.err, /unknown option "--renew"/);
  const help = await cli(['certs', '--help']);
  t.equal(help.code, 0);
  t.match(help.out, /^Usage: mailconfig certs/);
  t.match((await cli(['--help'])).out, /certs\s+list the certificates obtained by ACME/);
});
