// The PACC renderer: deterministic bytes, only what PACC can say (implicit TLS, default ports, the address as user
// name, https URLs), the reasons for everything left out, and the digest of the exact bytes.
import t from 'tap';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/config.js';
import { canonicalJson, paccDigest, renderPacc, type PaccRendering } from '../../src/formats/pacc.js';
import { parseProvider } from '../../src/providers/parse.js';
import type { MailConfig, ServerSettings } from '../../src/settings/model.js';

const MODERN = await readFile(join(PROJECT_ROOT, 'test', 'fixtures', 'autoconfig-1.2', 'modern.example.xml'), 'utf8');
const modern = () => parseProvider(MODERN, { file: 'modern.example.xml' }).config!;

/** A parsed JSON document read member by member (the assertions check the values). */
interface Doc {
  [member: string]: Doc;
}

function ok(rendering: PaccRendering): { body: string; digest: string; doc: Doc; notes: string[] } {
  if (!rendering.ok) throw new Error(`no PACC: ${rendering.reason}`);
  return { body: rendering.body, digest: rendering.digest, doc: JSON.parse(rendering.body) as Doc, notes: rendering.notes };
}

const server = (protocol: ServerSettings['protocol'], host: string, port: number, security: ServerSettings['security'], extra: Partial<ServerSettings> = {}): ServerSettings => ({
  protocol, host, port, security, auth: ['password-cleartext'], username: '%EMAILADDRESS%', source: { kind: 'database', detail: 'x.xml', confidence: 'high' }, ...extra,
});
const config = (servers: ServerSettings[], extra: Partial<MailConfig> = {}): MailConfig => ({
  id: 'x.example', domains: ['x.example'], mxDomains: [], displayName: 'X Mail', servers, documentation: [], enable: [], source: { kind: 'database', detail: 'x.xml', confidence: 'high' }, ...extra,
});

t.test('the full provider: every member PACC has, in canonical form', async (t) => {
  const { body, doc, notes } = ok(renderPacc(modern(), 'modern.example'));
  t.equal(body, canonicalJson(JSON.parse(body)), 'members sorted, no whitespace');
  t.notMatch(body.replace(/"(?:[^"\\]|\\.)*"/g, ''), /\s/, 'no whitespace outside strings');
  t.same(Object.keys(doc), ['authentication', 'info', 'protocols']);
  t.same(doc.protocols, {
    caldav: { url: 'https://dav.modern.example/caldav/' },
    carddav: { url: 'https://dav.modern.example/carddav/' },
    imap: { host: 'imap.modern.example' },
    jmap: { url: 'https://jmap.modern.example/.well-known/jmap' },
    smtp: { host: 'smtp.modern.example' },
    webdav: { url: 'https://files.modern.example/remote.php/webdav/' },
  });
  t.notOk('submit' in doc.protocols!, 'smtp, not submit');
  t.same(doc.authentication, { 'oauth-public': { issuer: 'https://login.modern.example' }, password: true });
  t.same(doc.info, {
    help: { contact: ['mailto:postmaster@modern.example'], developer: 'https://developer.modern.example/', documentation: 'https://help.modern.example/mail' },
    provider: {
      logo: [{ 'content-type': 'image/svg+xml', url: 'https://modern.example/logo.svg' }, { 'content-type': 'image/png', height: 64, url: 'https://modern.example/logo-64.png', width: 64 }],
      name: 'Modern Mail',
      shortName: 'Modern',
    },
  });
  t.notMatch(body, /clientID|modern-public-client|scope|tokenURL/, 'PACC publishes the issuer only');
  t.same(notes, ['POP3 left out: offered only with STARTTLS (pop.modern.example:110); PACC can only say implicit TLS']);
});

t.test('the same settings give the same bytes, however the objects were built', async (t) => {
  const a = ok(renderPacc(modern(), 'modern.example'));
  const b = ok(renderPacc(modern(), 'modern.example'));
  t.equal(a.body, b.body);
  const reordered = modern();
  reordered.servers.reverse();
  reordered.logos = [...reordered.logos!];
  t.equal(ok(renderPacc(reordered, 'modern.example')).body, a.body, 'server order in the file does not matter');
  t.equal(a.digest, createHash('sha256').update(Buffer.from(a.body, 'utf8')).digest('base64'));
  t.equal(Buffer.from(a.digest, 'base64').length, 32);
  t.equal(paccDigest(a.body), a.digest);
});

t.test('STARTTLS-only, other ports, other user names and odd methods are left out with the reason', async (t) => {
  const c = config([
    server('imap', 'imap.x.example', 143, 'starttls'),
    server('pop3', 'pop.x.example', 9995, 'tls'),
    server('smtp', 'smtp.x.example', 465, 'tls', { username: '%EMAILLOCALPART%' }),
  ]);
  const r = renderPacc(c, 'x.example');
  t.equal(r.ok, false, 'nothing left to publish');
  t.match(r, { reason: /no protocol can be expressed in PACC/ });
  t.same(r.notes, [
    'IMAP left out: offered only with STARTTLS (imap.x.example:143); PACC can only say implicit TLS',
    'POP3 left out: implicit TLS only on port 9995, PACC means port 995',
    'SMTP left out: its user name is %EMAILLOCALPART%, but PACC clients log in with the whole address',
  ]);
  const gssapi = renderPacc(config([server('imap', 'imap.x.example', 993, 'tls', { auth: ['GSSAPI'] })]), 'x.example');
  t.match(gssapi.notes, ['IMAP left out: it offers only GSSAPI, which PACC clients do not use']);
  const plain = renderPacc(config([server('imap', 'imap.x.example', 143, 'none'), server('smtp', 's.x.example', 465, 'tls')]), 'x.example');
  t.match(plain.notes, ['IMAP left out: offered only with no encryption (imap.x.example:143); PACC can only say implicit TLS']);
});

t.test('a server with STARTTLS and implicit TLS publishes the implicit-TLS one', async (t) => {
  const { doc } = ok(renderPacc(config([server('smtp', 'sub.x.example', 587, 'starttls'), server('smtp', 'tls.x.example', 465, 'tls'), server('imap', 'i.x.example', 993, 'tls')]), 'x.example'));
  t.same(doc.protocols?.smtp, { host: 'tls.x.example' });
});

t.test('OAuth2: an ISPDB host-name issuer is left out; OAuth2 everywhere means password false', async (t) => {
  const oauth = { issuer: 'accounts.google.com', scope: 'mail', authURL: 'https://a/', tokenURL: 'https://t/' };
  const r = ok(renderPacc(config([server('imap', 'i.x.example', 993, 'tls', { auth: ['OAuth2', 'password-cleartext'] })], { oauth2: oauth }), 'x.example'));
  t.same(r.doc.authentication, { password: true });
  t.match(r.notes, ['authentication.oauth-public left out: the OAuth2 issuer "accounts.google.com" is not a URL (RFC 8414 issuers are https URLs)']);
  const query = ok(renderPacc(config([server('imap', 'i.x.example', 993, 'tls')], { oauth2: { ...oauth, issuer: 'https://l.x.example/?tenant=1' } }), 'x.example'));
  t.match(query.notes, [/has a query or fragment/]);
  const only = ok(renderPacc(config([server('imap', 'i.x.example', 993, 'tls', { auth: ['OAuth2'] })], { oauth2: { ...oauth, issuer: 'https://login.x.example' } }), 'x.example'));
  t.same(only.doc.authentication, { 'oauth-public': { issuer: 'https://login.x.example' }, password: false });
});

t.test('URL services PACC cannot carry: bare origins, ports, http, per-user URLs', async (t) => {
  const svc = (protocol: 'caldav' | 'carddav' | 'jmap' | 'webdav', url: string) => ({ protocol, url, auth: ['Basic' as const], username: '%EMAILADDRESS%', source: { kind: 'database' as const, detail: 'x', confidence: 'high' as const } });
  const r = ok(
    renderPacc(
      config([server('imap', 'i.x.example', 993, 'tls')], {
        services: [svc('caldav', 'https://dav.x.example/'), svc('carddav', 'https://dav.x.example:8443/card/'), svc('webdav', 'https://f.x.example/%EMAILLOCALPART%/'), svc('jmap', 'https://jmap.x.example/session')],
      }),
      'x.example',
    ),
  );
  t.same(Object.keys(r.doc.protocols ?? {}), ['imap', 'jmap']);
  t.same(r.notes, [
    'caldav left out: https://dav.x.example/ is a bare origin; PACC needs the context path',
    'carddav left out: https://dav.x.example:8443/card/ names port 8443; PACC URLs are https on 443',
    'webdav left out: its URL https://f.x.example/%EMAILLOCALPART%/ differs per user; PACC is one document per domain',
  ]);
});

t.test('a host with %EMAILDOMAIN% is filled per domain: one document (and digest) per domain', async (t) => {
  const c = config([server('imap', 'mail.%EMAILDOMAIN%', 993, 'tls')], { domains: ['a.example', 'b.example'] });
  const a = ok(renderPacc(c, 'a.example'));
  const b = ok(renderPacc(c, 'b.example'));
  t.same(a.doc.protocols?.imap, { host: 'mail.a.example' });
  t.same(b.doc.protocols!.imap, { host: 'mail.b.example' });
  t.not(a.digest, b.digest);
  t.equal(ok(renderPacc(c, 'a.example')).body, a.body, 'stable per domain');
});

t.test('names: at most 60 characters, a short name of more than 20 is left out', async (t) => {
  const r = ok(renderPacc(config([server('imap', 'i.x.example', 993, 'tls')], { displayName: 'N'.repeat(70), displayShortName: 'S'.repeat(21) }), 'x.example'));
  t.equal(r.doc.info?.provider?.name, 'N'.repeat(60));
  t.notOk('shortName' in r.doc.info!.provider!);
  t.same(r.notes, ["info.provider.name shortened to 60 characters (PACC's limit)", 'info.provider.shortName left out: longer than 20 characters']);
});
