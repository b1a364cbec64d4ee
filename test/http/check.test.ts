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
  t.same(Object.keys(report.checks[0]!).sort(), ['fix', 'id', 'message', 'status'], 'the English sentences, not the findings');
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

t.test('the German page says why and what to do in German, for every check of a broken domain', async (t) => {
  const english = (await (await fetch(`${server.url}/api/v1/check?domain=${DOMAINS.stale}`)).json()) as CheckReport;
  const page = await (await fetch(`${server.url}/check/${DOMAINS.stale}?lang=de`)).text();
  const card = (id: string) => new RegExp(`<article[^>]*data-check="${id}"[^>]*>([\\s\\S]*?)</article>`).exec(page)?.[1] ?? '';
  const pacc = card('pacc');
  t.match(pacc, /Der Digest in _ua-auto-config\.stale\.example passt nicht zu dem Dokument, das ua-auto-config\.stale\.example ausliefert/);
  t.match(pacc, /<strong>Behebung:<\/strong> <code>Ersetzen Sie den TXT-Eintrag durch: _ua-auto-config\.stale\.example\. 3600 IN TXT &quot;v=UAAC1; a=sha256; d=/);
  t.match(pacc, world.paccDigest(DOMAINS.stale), 'the zone line with the served digest, unchanged');
  t.notMatch(pacc, /does not match|Replace the TXT record|so PACC clients/, 'no English left in the card');
  t.match(card('mx'), /Mail für stale\.example geht an in\.mx\.hoster\.example, einen Mailserver von Hoster Mail\./);
  t.match(card('caldav'), /Hoster Mail bietet kein CalDAV an/);
  const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
  const leftovers = english.checks.filter((c) => page.includes(escape(c.message)) || (c.fix !== '' && page.includes(escape(c.fix))));
  t.same(leftovers.map((c) => c.id), [], 'none of the English sentences of the JSON report is on the German page');
  const en = await (await fetch(`${server.url}/check/${DOMAINS.stale}?lang=en`)).text();
  t.ok(english.checks.every((c) => en.includes(escape(c.message))), 'the English page shows the same sentences as the API');
});

t.test('the setup page links to the check', async (t) => {
  const res = await fetch(`${server.url}/setup/gmail.com?lang=en`);
  const page = await res.text();
  // Once, in the troubleshooting section.
  t.equal(page.match(/href="\/check\/gmail\.com\?lang=en">Check the mail settings of gmail\.com</g)?.length, 1);
  t.equal(page.match(/href="\/check\//g)?.length, 1, 'no second link to the check');
});
