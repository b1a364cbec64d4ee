// GET /api/v1/check and GET /check/<domain> against the fake network of test/helpers/check-world.ts.
import t from 'tap';
import { DomainChecker } from '../../src/check/checker.js';
import type { CheckReport } from '../../src/check/types.js';
import { DOMAINS, startCheckWorld } from '../helpers/check-world.js';
import { startTestServer } from '../helpers/server.js';

const world = await startCheckWorld();
t.teardown(() => world.close());
const checker = new DomainChecker(world.store, world.options());
const server = await startTestServer({ checker });
t.teardown(() => server.close());

t.test('the JSON report has the shape the issue and the OpenAPI document give', async (t) => {
  const res = await fetch(`${server.url}/api/v1/check?domain=${DOMAINS.stale}`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('cache-control'), 'no-store');
  const report = (await res.json()) as CheckReport;
  t.equal(report.domain, DOMAINS.stale);
  t.same(report.checks.map((c) => c.id), ['mx', 'autoconfig', 'autodiscover', 'srv', 'pacc', 'caldav', 'carddav', 'servers']);
  t.equal(report.checks.find((c) => c.id === 'pacc')?.status, 'fail');
  t.match(report.records, `d=${world.paccDigest(DOMAINS.stale)}`);
  const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown> };
  t.ok(doc.paths['/api/v1/check'], 'documented');
});

t.test('bad input: JSON 400 with a reason, nothing echoed', async (t) => {
  const missing = await fetch(`${server.url}/api/v1/check`);
  t.equal(missing.status, 400);
  t.match(await missing.json(), { error: 'missing_domain' });
  const bad = await fetch(`${server.url}/api/v1/check?domain=%3Cscript%3E`);
  t.equal(bad.status, 400);
  const text = await bad.text();
  t.notMatch(text, /script/);
  t.match(JSON.parse(text), { error: 'invalid_domain' });
});

t.test('the page, in English and German', async (t) => {
  const en = await fetch(`${server.url}/check/${DOMAINS.cname}?lang=en`);
  t.equal(en.status, 200);
  const page = await en.text();
  t.match(page, /<h1>Domain check for cname\.example<\/h1>/);
  t.match(page, /data-check="autoconfig" data-status="fail"/);
  t.match(page, /autoconfig\.cname\.example is a CNAME for other-host\.example/);
  const de = await (await fetch(`${server.url}/check/${DOMAINS.good}?lang=de`)).text();
  t.match(de, /<h1>Domain-Prüfung für good\.example<\/h1>/);
  t.match(de, /Alles ist eingerichtet/);
  const bad = await fetch(`${server.url}/check/not..valid`);
  t.equal(bad.status, 400);
  t.match(bad.headers.get('content-type') ?? '', /text\/html/);
});

t.test('the setup page links to the check', async (t) => {
  const res = await fetch(`${server.url}/setup/gmail.com?lang=en`);
  const page = await res.text();
  // Once, in the troubleshooting section.
  t.equal(page.match(/href="\/check\/gmail\.com\?lang=en">Check the mail settings of gmail\.com</g)?.length, 1);
  t.equal(page.match(/href="\/check\//g)?.length, 1, 'no second link to the check');
});
