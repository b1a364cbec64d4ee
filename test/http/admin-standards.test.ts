// The admin API's JSON form with the Autoconfig 1.2 / PACC facts: written as a 1.2 file, served at once in every
// format, a client secret refused, and the change log naming the changed URL service.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { parseProvider } from '../../src/providers/parse.js';
import { copyProviders, startLiveService } from '../helpers/providers.js';

const TOKEN = 'test-admin-token-0123456789';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

const config = {
  domains: ['json12.example'],
  displayName: 'JSON 1.2',
  servers: [
    { protocol: 'imap', host: 'imap.json12.example', port: 993, security: 'tls', auth: ['OAuth2', 'password-cleartext'], sasl: ['SCRAM-SHA-256'] },
    { protocol: 'smtp', host: 'smtp.json12.example', port: 465, security: 'tls', auth: ['OAuth2', 'password-cleartext'] },
  ],
  oauth2: { issuer: 'https://login.json12.example', scope: 'urn:ietf:params:oauth:scope:mail', authURL: 'https://login.json12.example/a', tokenURL: 'https://login.json12.example/t', clientId: 'json12' },
  services: [{ protocol: 'caldav', url: 'https://dav.json12.example/cal/', auth: ['OAuth2', 'Basic'] }],
  logos: [{ url: 'https://json12.example/logo.png', contentType: 'image/png', width: 48, height: 48 }],
  developerUrl: 'https://dev.json12.example/',
  contacts: ['mailto:ops@json12.example'],
};

t.test('PUT JSON with the new fields writes a valid 1.2 file that every answer uses at once', async (t) => {
  const dir = await copyProviders(t, []);
  const service = await startLiveService(t, dir, { MAILCONFIG_ADMIN_TOKEN: TOKEN });
  const res = await fetch(`${service.url}/admin/providers/json12.example`, { method: 'PUT', headers, body: JSON.stringify(config) });
  t.equal(res.status, 201, await res.clone().text());
  t.match(await res.clone().json(), { pacc: { changed: [{ domain: 'json12.example', before: null, after: /^v=UAAC1/ }] } }, 'a new provider: the TXT to publish');
  const text = await readFile(join(dir, 'json12.example.xml'), 'utf8');
  t.match(text, /<clientConfig version="1\.2">[\s\S]*<authentication system="sasl">SCRAM-SHA-256<\/authentication>[\s\S]*<clientID>json12<\/clientID>[\s\S]*<calendar type="caldav">/);
  const parsed = parseProvider(text, { file: 'json12.example.xml' });
  t.same(parsed.problems.filter((p) => p.severity === 'error'), []);
  t.match(parsed.config, { oauth2: { clientId: 'json12' }, developerUrl: 'https://dev.json12.example/', logos: [{ width: 48 }] });

  const pacc = await request(`${service.url}/.well-known/user-agent-configuration.json`, { headers: { host: 'ua-auto-config.json12.example' } });
  t.equal(pacc.statusCode, 200);
  t.match(JSON.parse(await pacc.body.text()), { protocols: { caldav: { url: 'https://dav.json12.example/cal/' } }, authentication: { 'oauth-public': { issuer: 'https://login.json12.example' } } });

  // Changing a URL service is a change for clients: the admin answer says so.
  const moved = { ...config, services: [{ ...config.services[0], url: 'https://dav2.json12.example/cal/' }] };
  const etag = res.headers.get('etag')!;
  const second = await fetch(`${service.url}/admin/providers/json12.example`, { method: 'PUT', headers: { ...headers, 'if-match': etag }, body: JSON.stringify(moved) });
  t.equal(second.status, 200);
  const answer = (await second.json()) as { changes: unknown; pacc: { changed: { domain: string; before: string; after: string }[]; note: string } };
  t.match(answer, { changes: { details: ['caldav: https://dav.json12.example/cal/ -> https://dav2.json12.example/cal/'] } });
  // The PACC bytes changed with the URL: the answer names the old and the new TXT and what to do.
  t.equal(answer.pacc.changed.length, 1);
  t.match(answer.pacc.changed[0], { domain: 'json12.example', before: /^v=UAAC1; a=sha256; d=/, after: /^v=UAAC1; a=sha256; d=/ });
  t.not(answer.pacc.changed[0]!.before, answer.pacc.changed[0]!.after);
  t.match(answer.pacc.note, /publish each new _ua-auto-config\.<domain> TXT now, next to the old one/);
  const served = await request(`${service.url}/.well-known/user-agent-configuration.json?explain=1`, { headers: { host: 'ua-auto-config.json12.example' } });
  t.equal(((await served.body.json()) as { txt: { value: string } }).txt.value, answer.pacc.changed[0]!.after, 'the new TXT is the one of the document served now');
  // A change PACC cannot carry (another submission server, with STARTTLS) leaves the digest alone.
  const same = await fetch(`${service.url}/admin/providers/json12.example`, { method: 'PUT', headers: { ...headers, 'if-match': second.headers.get('etag')! }, body: JSON.stringify({ ...moved, servers: [...moved.servers, { protocol: 'smtp', host: 'smtp.json12.example', port: 587, security: 'starttls' }] }) });
  t.equal(same.status, 200);
  t.notOk('pacc' in ((await same.json()) as object), 'a STARTTLS server PACC cannot carry changes no digest');
});

t.test('a client secret in the JSON form is refused with its path', async (t) => {
  const dir = await copyProviders(t, []);
  const service = await startLiveService(t, dir, { MAILCONFIG_ADMIN_TOKEN: TOKEN });
  const res = await fetch(`${service.url}/admin/providers/secret.example`, { method: 'PUT', headers, body: JSON.stringify({ ...config, domains: ['secret.example'], oauth2: { ...config.oauth2, clientSecret: 'hunter2' } }) });
  t.equal(res.status, 422);
  const body = await res.text();
  t.match(JSON.parse(body), { errors: [{ path: '$.oauth2.clientSecret', message: /a public client has no secret/ }] });
  t.notMatch(body, /hunter2/, 'the secret is not echoed');
});
