// Autoconfig 1.2 in provider files: every new element is read into the model, checked, and written back unchanged;
// 1.1 files keep their meaning and their rendering.
import t from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT, BUNDLED_PROVIDERS } from '../../src/config.js';
import { renderClientConfig } from '../../src/formats/thunderbird.js';
import { childrenNamed, firstChild, parseXml } from '../../src/xml/parse.js';
import { providerXmlFromJson, type JsonProblem } from '../../src/providers/json.js';
import { parseProvider } from '../../src/providers/parse.js';
import { allowsPasswords, usesAutoconfig12, type MailConfig } from '../../src/settings/model.js';

const MODERN = join(PROJECT_ROOT, 'test', 'fixtures', 'autoconfig-1.2', 'modern.example.xml');
const text = await readFile(MODERN, 'utf8');

/** A minimal 1.2 file with `extra` inside <emailProvider> after the IMAP server and `root` beside it. */
function file(extra: string, root = '', imapAuth = '<authentication>password-cleartext</authentication>'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.2">
  <emailProvider id="x.example">
    <domain>x.example</domain>
    <incomingServer type="imap">
      <hostname>imap.x.example</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      ${imapAuth}
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.x.example</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
    ${extra}
  </emailProvider>
  ${root}
</clientConfig>
`;
}

const lineOf = (source: string, needle: string) => source.split('\n').findIndex((l) => l.includes(needle)) + 1;
const problemsOf = (source: string) => parseProvider(source, { file: 'x.example.xml' }).problems.map((p) => `${p.severity} ${p.line}: ${p.message}`);

t.test('every 1.2 element of a full file is read into the model', async (t) => {
  const { config, problems } = parseProvider(text, { file: 'modern.example.xml' });
  t.same(problems, [], 'no problems');
  t.ok(config);
  const c = config!;
  t.same(c.oauth2, {
    issuer: 'https://login.modern.example',
    scope: 'urn:ietf:params:oauth:scope:mail urn:ietf:params:oauth:scope:calendars urn:ietf:params:oauth:scope:contacts',
    authURL: 'https://login.modern.example/authorize',
    tokenURL: 'https://login.modern.example/token',
    clientId: 'modern-public-client',
  });
  t.same(
    c.services?.map((s) => [s.protocol, s.url, s.auth, s.username]),
    [
      ['jmap', 'https://jmap.modern.example/.well-known/jmap', ['OAuth2', 'Basic'], '%EMAILADDRESS%'],
      ['caldav', 'https://dav.modern.example/caldav/', ['OAuth2', 'Basic'], '%EMAILADDRESS%'],
      ['carddav', 'https://dav.modern.example/carddav/', ['Digest'], '%EMAILADDRESS%'],
      ['webdav', 'https://files.modern.example/remote.php/webdav/', ['Basic'], '%EMAILADDRESS%'],
    ],
  );
  t.same(c.servers[0]?.sasl, ['SCRAM-SHA-256-PLUS'], 'SASL mechanism kept apart');
  t.same(c.servers[0]?.auth, ['OAuth2', 'password-encrypted'], 'generic methods stay the fallback');
  t.same(c.logos, [
    { url: 'https://modern.example/logo.svg', contentType: 'image/svg+xml' },
    { url: 'https://modern.example/logo-64.png', contentType: 'image/png', width: 64, height: 64 },
  ]);
  t.equal(c.developerUrl, 'https://developer.modern.example/');
  t.same(c.contacts, ['mailto:postmaster@modern.example']);
  t.equal(c.displayShortName, 'Modern');
  t.ok(usesAutoconfig12(c));
  t.ok(allowsPasswords(c));
  t.equal(c.servers.length, 4, 'JMAP is a URL service, not a mail server');
});

t.test('the Thunderbird rendering of a 1.2 provider parses back to the same model', async (t) => {
  const { config } = parseProvider(text, { file: 'modern.example.xml' });
  const rendered = renderClientConfig(config!);
  t.match(rendered, /<clientConfig version="1\.2">/);
  const again = parseProvider(rendered, { file: 'modern.example.xml' });
  t.same(again.problems, []);
  t.same(again.config, config, 'round trip keeps every fact');
  // Clients that know only IMAP/SMTP find them first; the 1.2 sections come after or beside <emailProvider>.
  const root = parseXml(rendered);
  const provider = firstChild(root, 'emailProvider')!;
  t.same(childrenNamed(provider, 'incomingServer').map((el) => el.attrs.type), ['imap', 'pop3', 'jmap'], 'JMAP after the mail servers');
  t.same(root.children.map((el) => el.name), ['emailProvider', 'oAuth2', 'calendar', 'addressbook', 'fileShare']);
  const imap = childrenNamed(provider, 'incomingServer')[0]!;
  t.same(childrenNamed(imap, 'authentication').map((a) => `${a.attrs.system ?? ''}:${a.text}`), ['sasl:SCRAM-SHA-256-PLUS', ':OAuth2', ':password-encrypted']);
  t.notMatch(rendered, /clientSecret/);
  t.notMatch(rendered.replace(/<socketType>plain<\/socketType>/g, ''), /socketType>plain/);
});

t.test('every bundled (1.1) provider is rendered as 1.1, exactly as before', async (t) => {
  const names = (await readdir(BUNDLED_PROVIDERS)).filter((n) => n.endsWith('.xml'));
  t.ok(names.length > 100);
  for (const name of names) {
    const source = await readFile(join(BUNDLED_PROVIDERS, name), 'utf8');
    const { config } = parseProvider(source, { file: name });
    t.notOk(usesAutoconfig12(config!), `${name}: no 1.2 facts`);
    const rendered = renderClientConfig(config!);
    // The bundled files are what the importer wrote with this renderer (plus the licence comment).
    t.equal(rendered, source.replace(/<!--[\s\S]*?-->\n/, ''), `${name}: byte-identical`);
  }
});

t.test('the validator refuses what 1.2 forbids, with the line', async (t) => {
  const secret = file('', '<oAuth2><issuer>https://l.x.example</issuer><scope>mail</scope><authURL>https://l.x.example/a</authURL><tokenURL>https://l.x.example/t</tokenURL>\n<clientSecret>s3cret</clientSecret></oAuth2>');
  t.match(problemsOf(secret), [`error ${lineOf(secret, 'clientSecret')}: <clientSecret> must not be published: a public client has no secret (give only <clientID>, or rely on dynamic registration)`]);

  const bearer = file('', '<calendar type="caldav"><url>https://dav.x.example/cal/</url>\n<authentication system="http">Bearer</authentication></calendar>');
  t.match(problemsOf(bearer).join('\n'), /error \d+: <authentication system="http">Bearer<\/authentication> is not valid: write <authentication>OAuth2<\/authentication> without a system/);

  const httpUrl = file('', '<addressbook type="carddav">\n<url>http://dav.x.example/card/</url><authentication system="http">Basic</authentication></addressbook>');
  t.match(problemsOf(httpUrl), [`error ${lineOf(httpUrl, 'http://dav')}: <addressbook type="carddav"> <url> "http://dav.x.example/card/" is not an https URL`]);

  const noUrl = file('<incomingServer type="jmap"><authentication>OAuth2</authentication></incomingServer>');
  t.match(problemsOf(noUrl).join('\n'), /<incomingServer type="jmap"> has no <url>/);

  const noAuth = file('', '<fileShare type="webdav"><url>https://f.x.example/dav/</url></fileShare>');
  t.match(problemsOf(noAuth).join('\n'), /<fileShare type="webdav"> has no <authentication>/);

  const saslOnly = file('', '', '<authentication system="sasl">SCRAM-SHA-256</authentication>');
  t.match(problemsOf(saslOnly).join('\n'), /has no <authentication> besides SASL mechanisms: add a generic method/);

  const saslHttp = file('', '', '<authentication system="http">Basic</authentication><authentication>password-cleartext</authentication>');
  t.match(problemsOf(saslHttp).join('\n'), /authentication system="http" is not for mail servers/);

  const badSasl = file('', '', '<authentication system="sasl">scram sha</authentication><authentication>password-cleartext</authentication>');
  t.match(problemsOf(badSasl).join('\n'), /"scram sha" is not a SASL mechanism name/);

  const saslLate = file('', '', '<authentication>password-cleartext</authentication>\n<authentication system="sasl">SCRAM-SHA-1</authentication>');
  t.match(problemsOf(saslLate), [`warning ${lineOf(saslLate, 'SCRAM-SHA-1')}: SASL mechanism SCRAM-SHA-1 comes after a generic method: clients use the first one they know, list it first`]);

  const logo = file('<logo url="http://x.example/l.png" type="text/html" width="big"/>');
  t.match(problemsOf(logo).join('\n'), /<logo> url "http:\/\/x\.example\/l\.png" is not an https URL[\s\S]*not an image media type[\s\S]*width "big" is not a number of pixels/);

  const contact = file('<contact uri="javascript:alert(1)"/><developer url="ftp://x.example/"/>');
  t.match(problemsOf(contact).join('\n'), /<developer> url "ftp:\/\/x\.example\/" is not an http\(s\) URL[\s\S]*<contact> uri "javascript:alert\(1\)" is not a mailto:/);

  const wrongType = file('', '<calendar type="ical"><url>https://c.x.example/</url><authentication system="http">Basic</authentication></calendar>');
  t.match(problemsOf(wrongType), [/warning \d+: <calendar type="ical"> is skipped \(expected type="caldav"\)/]);

  const oldVersion = file('<incomingServer type="jmap"><url>https://j.x.example/jmap</url><authentication>OAuth2</authentication></incomingServer>').replace('version="1.2"', 'version="1.1"');
  t.match(problemsOf(oldVersion), [/warning 2: uses Autoconfig 1\.2 elements but says version="1\.1"/]);

  const longNames = file('<displayName>' + 'N'.repeat(61) + '</displayName><displayShortName>' + 'S'.repeat(21) + '</displayShortName>');
  t.match(problemsOf(longNames).join('\n'), /<displayName> has 61 characters[\s\S]*<displayShortName> has 21 characters/);

  const misspelled = file('', '<addressBook><serverURL>https://x.example/</serverURL></addressBook>');
  t.match(problemsOf(misspelled), [/warning \d+: <addressBook> is skipped: Autoconfig 1\.2 spells it <addressbook type="carddav">/]);
});

t.test('a JMAP-only provider is complete; passwords allowed follows the methods', async (t) => {
  const jmapOnly = `<clientConfig version="1.2"><emailProvider id="j.example"><domain>j.example</domain>
    <incomingServer type="jmap"><url>https://j.example/jmap</url><authentication>OAuth2</authentication></incomingServer>
  </emailProvider></clientConfig>`;
  const { config, problems } = parseProvider(jmapOnly, { file: 'j.example.xml' });
  t.same(problems, []);
  t.equal(config?.services?.[0]?.protocol, 'jmap');
  t.equal(allowsPasswords(config!), false, 'OAuth2 everywhere: no passwords');
});

/** The admin API's JSON form read back into the model (through the provider XML it is stored as). */
function configFromJson(json: unknown, key: string): { config?: MailConfig | undefined; problems: JsonProblem[] } {
  const answer = providerXmlFromJson(JSON.stringify(json), key);
  if (answer.ok) return { config: parseProvider(answer.xml, { file: `${key}.xml` }).config, problems: [] };
  return { problems: answer.kind === 'shape' ? answer.problems : [{ path: '$', message: answer.message }] };
}

t.test('the admin JSON form carries the new fields and refuses a client secret', async (t) => {
  const { config } = parseProvider(text, { file: 'modern.example.xml' });
  const json = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const back = configFromJson(json, 'modern.example');
  t.same(back.problems, []);
  const rendered = renderClientConfig(back.config!);
  t.same(parseProvider(rendered, { file: 'modern.example.xml' }).config, config as MailConfig, 'JSON -> XML -> model is the same model');

  const withSecret = configFromJson({ ...json, oauth2: { ...(json.oauth2 as object), clientSecret: 'x' } }, 'modern.example');
  t.same(withSecret.problems, [{ path: '$.oauth2.clientSecret', message: 'must not be given: a public client has no secret (give only clientId)' }]);
  const badService = configFromJson({ ...json, services: [{ protocol: 'ftp', url: 'https://x/' }, 'no'] }, 'modern.example');
  t.same(badService.problems.map((p) => p.path), ['$.services[0].protocol', '$.services[1]']);
});
