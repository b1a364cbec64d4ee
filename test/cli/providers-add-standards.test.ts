// `providers add` with the Autoconfig 1.2 / PACC flags: OAuth2, no passwords, JMAP/CalDAV/CardDAV/WebDAV, logos, links.
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProvider } from '../../src/providers/parse.js';
import { allowsPasswords } from '../../src/settings/model.js';
import { copyProviders } from '../helpers/providers.js';

const cli = (args: string[]) => runCli(args);

const BASE = ['providers', 'add', '--id', 'new.example', '--domain', 'new.example', '--imap', 'imap.new.example:993:ssl', '--smtp', 'smtp.new.example:465:ssl'];
const OAUTH = ['--oauth-issuer', 'https://login.new.example', '--oauth-scope', 'urn:ietf:params:oauth:scope:mail', '--oauth-auth-url', 'https://login.new.example/auth', '--oauth-token-url', 'https://login.new.example/token'];

t.test('every new flag lands in a valid 1.2 file', async (t) => {
  const dir = await copyProviders(t);
  const res = await cli([
    ...BASE, ...OAUTH, '--oauth-client-id', 'new-client', '--no-passwords', '--short-name', 'New',
    '--jmap', 'https://jmap.new.example/jmap/session', '--caldav', 'https://dav.new.example/cal/', '--carddav', 'https://dav.new.example/card/', '--webdav', 'https://files.new.example/dav/',
    '--logo', 'https://new.example/logo.svg', '--logo', 'https://new.example/logo,image/png,32x32', '--help-url', 'https://help.new.example/', '--developer', 'https://dev.new.example/',
    '--contact', 'mailto:ops@new.example', '--dir', dir,
  ]);
  t.equal(res.code, 0, res.stderr);
  const text = await readFile(join(dir, 'new.example.xml'), 'utf8');
  t.match(text, /<clientConfig version="1\.2">/);
  const { config, problems } = parseProvider(text, { file: 'new.example.xml' });
  t.same(problems.filter((p) => p.severity === 'error'), []);
  t.ok(problems.every((p) => /OAuth2 is the only authentication/.test(p.message)), 'only the OAuth2-only warnings');
  t.same(config?.oauth2, { issuer: 'https://login.new.example', scope: 'urn:ietf:params:oauth:scope:mail', authURL: 'https://login.new.example/auth', tokenURL: 'https://login.new.example/token', clientId: 'new-client' });
  t.same(config?.servers.map((s) => s.auth), [['OAuth2'], ['OAuth2']], '--no-passwords: OAuth2 only');
  t.equal(allowsPasswords(config!), false);
  t.same(config?.services?.map((s) => `${s.protocol} ${s.url} ${s.auth.join('/')}`), [
    'jmap https://jmap.new.example/jmap/session OAuth2',
    'caldav https://dav.new.example/cal/ OAuth2',
    'carddav https://dav.new.example/card/ OAuth2',
    'webdav https://files.new.example/dav/ OAuth2',
  ]);
  t.same(config?.logos, [{ url: 'https://new.example/logo.svg', contentType: 'image/svg+xml' }, { url: 'https://new.example/logo', contentType: 'image/png', width: 32, height: 32 }]);
  t.equal(config?.documentation[0]?.url, 'https://help.new.example/');
  t.equal(config?.developerUrl, 'https://dev.new.example/');
  t.same(config?.contacts, ['mailto:ops@new.example']);
  t.equal(config?.displayShortName, 'New');

  const shown = await cli(['providers', 'show', 'new.example', '--dir', dir]);
  t.equal(shown.code, 0, shown.stderr);
  t.match(shown.stdout, /^ {2}CALDAV {3}https:\/\/dav\.new\.example\/cal\/ {2}\(OAuth2\)$/m);
  t.match(shown.stdout, /^OAuth2: issuer https:\/\/login\.new\.example, client id new-client$/m);
});

t.test('OAuth2 with passwords offers both, OAuth2 first', async (t) => {
  const dir = await copyProviders(t);
  const res = await cli([...BASE, ...OAUTH, '--caldav', 'https://dav.new.example/cal/', '--dir', dir]);
  t.equal(res.code, 0, res.stderr);
  const { config } = parseProvider(await readFile(join(dir, 'new.example.xml'), 'utf8'), { file: 'new.example.xml' });
  t.same(config?.servers[0]?.auth, ['OAuth2', 'password-cleartext']);
  t.same(config?.services?.[0]?.auth, ['OAuth2', 'Basic']);
});

t.test('bad new flags are usage errors (exit 2) naming the flag', async (t) => {
  const dir = await copyProviders(t);
  const cases: [string[], RegExp][] = [
    [['--no-passwords'], /--no-passwords needs --oauth-issuer/],
    [['--oauth-issuer', 'https://l.new.example'], /OAuth2 needs all of .*missing --oauth-scope, --oauth-auth-url, --oauth-token-url/],
    [[...OAUTH.slice(0, 1), 'http://l.new.example', ...OAUTH.slice(2)], /--oauth-issuer "http:\/\/l\.new\.example" must be an https:\/\/ URL/],
    [['--caldav', 'dav.new.example/cal'], /--caldav "dav\.new\.example\/cal" is not a URL/],
    [['--logo', 'https://new.example/logo'], /--logo "https:\/\/new\.example\/logo": give the image type/],
    [['--logo', 'https://new.example/l.png,huge'], /"huge" is neither an image type/],
    [['--oauth-client-id', 'x'], /--oauth-client-id needs --oauth-issuer/],
  ];
  for (const [extra, message] of cases) {
    const res = await cli([...BASE, ...extra, '--dir', dir]);
    t.equal(res.code, 2, extra.join(' '));
    t.match(res.stderr, message);
  }
});
