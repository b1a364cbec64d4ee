import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProvider } from '../../src/providers/parse.js';
import { openProviderDatabase } from '../../src/providers/database.js';
import { PROJECT_ROOT } from '../../src/config.js';

const BAD = join(PROJECT_ROOT, 'test', 'fixtures', 'providers-bad');

const lines = (problems: { line: number; severity: string; message: string }[]) =>
  problems.map((p) => `${p.line}:${p.severity}:${p.message}`);

t.test('every problem of a broken file is reported with its line', async (t) => {
  const text = await readFile(join(BAD, 'broken.example.xml'), 'utf8');
  const { config, problems } = parseProvider(text, { file: 'broken.example.xml' });
  t.equal(config, undefined, 'a file with errors is not served');
  const found = lines(problems);
  t.ok(found.some((l) => /^5:error:unknown element "displayNameShort" in <emailProvider>.*displayShortName/.test(l)), 'unknown element, with a hint');
  t.ok(found.some((l) => /^8:error:port "99999"/.test(l)), 'port out of range');
  t.ok(found.some((l) => /^9:error:unknown socketType "TLS"/.test(l)), 'unknown socketType');
  t.ok(found.some((l) => /^10:error:broken placeholder "%EMAILADDRESS"/.test(l)), 'broken placeholder');
  t.ok(found.some((l) => /^13:warning:OAuth2 is the only authentication/.test(l)), 'OAuth2 as the only method');
  t.ok(found.some((l) => /^3:warning:SMTP is offered only without encryption/.test(l)), 'plaintext-only warning');
});

t.test('a missing domain and XML that is not well-formed', async (t) => {
  const nodomain = parseProvider(await readFile(join(BAD, 'nodomain.example.xml'), 'utf8'), { file: 'x' });
  t.match(lines(nodomain.problems), [/^3:error:no <domain>/]);
  const broken = parseProvider(await readFile(join(BAD, 'notwellformed.example.xml'), 'utf8'), { file: 'x' });
  t.match(lines(broken.problems), [/^5:error:not well-formed XML/]);
});

t.test('DOCTYPE and entity tricks are refused', async (t) => {
  const xml = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<clientConfig/>';
  t.match(lines(parseProvider(xml, { file: 'x' }).problems), [/^2:error:.*DOCTYPE/]);
});

t.test('a domain claimed by two files: the later file is left out and reported at the domain line', async (t) => {
  const { index, problems } = await openProviderDatabase(BAD);
  t.equal(index.byDomain('good.example')?.file, 'posteo-copy.xml');
  t.equal(index.byDomain('zz-duplicate.example'), undefined);
  const dup = problems.find((p) => p.file === 'zz-duplicate.example.xml');
  t.match(dup, { line: 5, severity: 'error', message: /good\.example is already claimed by posteo-copy\.xml/ });
});

t.test('the bundled database has no errors', async (t) => {
  const { index, problems } = await openProviderDatabase(join(PROJECT_ROOT, 'providers'));
  t.same(problems.filter((p) => p.severity === 'error'), []);
  t.equal(index.size, 163);
  t.equal(index.domainCount, 962);
  // Admins read (and the admin API serves) the files as written: placeholders there in their one valid spelling.
  for (const entry of index.entries()) {
    const text = await readFile(join(PROJECT_ROOT, 'providers', entry.file), 'utf8');
    t.same(text.match(/%(?![A-Z]+%)[A-Za-z]+%/g) ?? [], [], `${entry.file}: placeholders in upper case`);
  }
});

t.test('host names are lower-cased but placeholders in them keep their case', async (t) => {
  const xml = `<clientConfig version="1.1"><emailProvider id="p"><domain>p.example</domain>
    <incomingServer type="imap"><hostname>IMAP.%EMAILDOMAIN%</hostname><port>993</port><socketType>SSL</socketType>
    <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>
  </emailProvider></clientConfig>`;
  const { config } = parseProvider(xml, { file: 'p.xml' });
  t.equal(config?.servers[0]?.host, 'imap.%EMAILDOMAIN%');
});

// Found by test/providers/parse.property.test.ts: values and element names from the file came back raw in problems.
t.test('problems name bad values without repeating their markup or control characters', async (t) => {
  const file = (domain: string, extra = '') =>
    `<clientConfig version="1.1"><emailProvider id="x.example"><domain>${domain}</domain>${extra}<incomingServer type="imap"><hostname>imap.x.example</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer></emailProvider></clientConfig>`;
  const messages = (text: string) => parseProvider(text, { file: 'x' }).problems.map((p) => p.message);
  t.match(messages(file('&lt;script&gt;x&lt;/script&gt;')), [/^invalid domain \(a value with markup, quotes or control characters, not repeated\): /]);
  t.match(messages(file('bad..example')), [/^invalid domain "bad\.\.example": /], 'a harmless value is still quoted');
  t.match(messages(file('x.example', '<script onerror="alert(1)">x</script>')), ['unknown element "script" in <emailProvider>']);
  t.match(messages('<script>x</script>'), ['root element is "script", expected <clientConfig>']);
  t.match(messages(file('x.example').replace('<port>993</port>', '<port>9\u001b[31m</port>')), [/^port \(a value with markup/]);
});
