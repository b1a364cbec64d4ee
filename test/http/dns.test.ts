// GET /api/v1/dns and `mailconfig dns`: the same records, the PACC digest of the bytes served, the rollover note.
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { copyFile, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { PROJECT_ROOT } from '../../src/config.js';
import { copyProviders } from '../helpers/providers.js';
import { startTestServer } from '../helpers/server.js';

const FIXTURE = join(PROJECT_ROOT, 'test', 'fixtures', 'autoconfig-1.2', 'modern.example.xml');
const dir = await copyProviders(t);
await copyFile(FIXTURE, join(dir, 'modern.example.xml'));
const server = await startTestServer({ env: { MAILCONFIG_PROVIDERS: dir, MAILCONFIG_PUBLIC_URL: 'https://cfg.service.example' } });
t.teardown(() => server.close());

const cli = (args: string[]) => runCli(args);

interface Plan { domain: string; provider: string; records: { name: string; ttl: number; type: string; value: string }[]; notes: string[]; zone: string[]; paccDigest: string }

t.test('the API lists every record; the TXT digest is the digest of the served document', async (t) => {
  const res = await fetch(`${server.url}/api/v1/dns?domain=modern.example`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('access-control-allow-origin'), '*', 'CORS like the rest of /api/v1');
  const plan = (await res.json()) as Plan;
  const line = (name: string, type: string) => plan.records.filter((r) => r.name === name && r.type === type).map((r) => r.value);
  const pacc = await request(`${server.url}/.well-known/user-agent-configuration.json`, { headers: { host: 'ua-auto-config.modern.example' } });
  const etag = String(pacc.headers.etag);
  await pacc.body.dump();
  t.same(line('_ua-auto-config.modern.example.', 'TXT'), [`"v=UAAC1; a=sha256; d=${etag.slice(1, -1)}"`]);
  t.equal(plan.paccDigest, etag.slice(1, -1));
  t.same(line('ua-auto-config.modern.example.', 'CNAME'), ['cfg.service.example.'], 'points at MAILCONFIG_PUBLIC_URL');
  t.same(line('autoconfig.modern.example.', 'CNAME'), ['cfg.service.example.']);
  t.same(line('autodiscover.modern.example.', 'CNAME'), ['cfg.service.example.']);
  t.same(line('_imaps._tcp.modern.example.', 'SRV'), ['0 1 993 imap.modern.example.']);
  t.same(line('_imap._tcp.modern.example.', 'SRV'), ['0 0 0 .'], 'not offered');
  t.same(line('_pop3._tcp.modern.example.', 'SRV'), ['0 1 110 pop.modern.example.']);
  t.same(line('_submissions._tcp.modern.example.', 'SRV'), ['0 1 465 smtp.modern.example.']);
  t.same(line('_submission._tcp.modern.example.', 'SRV'), ['0 1 587 smtp.modern.example.']);
  t.same(line('_caldavs._tcp.modern.example.', 'SRV'), ['0 1 443 dav.modern.example.']);
  t.same(line('_caldavs._tcp.modern.example.', 'TXT'), ['"path=/caldav/"']);
  t.same(line('_carddavs._tcp.modern.example.', 'TXT'), ['"path=/carddav/"']);
  t.same(line('_jmap._tcp.modern.example.', 'SRV'), ['0 1 443 jmap.modern.example.']);
  t.match(plan.notes.at(-1), /publish it next to the old one, wait out the old record's TTL \(3600 s\)/);
  t.equal(plan.zone.length, plan.records.length + plan.notes.length + 1);
  t.equal(res.headers.get('cache-control'), 'no-store');
});

t.test('API errors', async (t) => {
  t.match(await (await fetch(`${server.url}/api/v1/dns`)).json(), { error: 'missing_domain' });
  const bad = await fetch(`${server.url}/api/v1/dns?domain=%3Cb%3E`);
  t.equal(bad.status, 400);
  t.notMatch(await bad.text(), /<b>/);
  t.equal((await fetch(`${server.url}/api/v1/dns?domain=unknown.example`)).status, 404);
});

t.test('the CLI prints the same records as zone-file lines', async (t) => {
  const api = (await (await fetch(`${server.url}/api/v1/dns?domain=modern.example`)).json()) as Plan;
  const res = await cli(['dns', 'modern.example', '--service-host', 'cfg.service.example', '--dir', dir]);
  t.equal(res.code, 0, res.stderr);
  t.same(res.stdout.trimEnd().split('\n'), api.zone);
  t.match(res.stdout, /^_ua-auto-config\.modern\.example\.\s+3600 IN TXT\s+"v=UAAC1; a=sha256; d=[A-Za-z0-9+/]{43}="$/m);
});

t.test('a changed provider changes the digest; the CLI computes it from the changed directory before deploying', async (t) => {
  const changedDir = await copyProviders(t);
  await writeFile(join(changedDir, 'modern.example.xml'), (await readFile(FIXTURE, 'utf8')).replace('<displayName>Modern Mail</displayName>', '<displayName>Modern Mail AG</displayName>'));
  const before = await cli(['dns', 'modern.example', '--service-host', 'cfg.service.example', '--dir', dir]);
  const after = await cli(['dns', 'modern.example', '--service-host', 'cfg.service.example', '--dir', changedDir]);
  const txt = (out: string) => /d=([A-Za-z0-9+/=]+)"/.exec(out)?.[1];
  t.ok(txt(before.stdout) && txt(after.stdout));
  t.not(txt(after.stdout), txt(before.stdout), 'any byte changes the digest');
  t.match(after.stdout, /; note: when these settings change, the PACC document and with it the digest change/);
});

t.test('CLI usage errors and unknown domains', async (t) => {
  const noHost = await cli(['dns', 'modern.example', '--dir', dir]);
  t.equal(noHost.code, 2);
  t.match(noHost.stderr, /give --service-host/);
  const unknown = await cli(['dns', 'kunde.example', '--service-host', 'cfg.service.example', '--dir', dir]);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /kunde\.example is not an address domain of any provider \(for a customer domain hosted by MX, add --provider ID\)/);
  const customer = await cli(['dns', 'kunde.example', '--provider', 'modern.example', '--service-host', 'cfg.service.example', '--dir', dir]);
  t.equal(customer.code, 0, customer.stderr);
  t.match(customer.stdout, /^_ua-auto-config\.kunde\.example\. /m);
});
