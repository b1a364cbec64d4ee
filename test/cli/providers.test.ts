import t from 'tap';
import { cp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/config.js';
import { parseProvider } from '../../src/providers/parse.js';
import { runCli } from '../helpers/cli.js';
import { copyProviders } from '../helpers/providers.js';

// The CLI in-process, as an admin would call it (test/cli/serve.test.ts spawns bin/mailconfig.js once).
const cli = (args: string[], cwd = PROJECT_ROOT) => runCli(args, { cwd });

const HOSTER = ['--id', 'hoster.example', '--domain', 'hoster.example', '--domain', 'Kunde.Example', '--mx-domain', 'mx.hoster.example', '--imap', 'imap.hoster.example:993:ssl', '--pop3', 'pop.hoster.example:995:tls', '--smtp', 'smtp.hoster.example:587:starttls', '--name', 'Hoster & Co'];

t.test('add writes a valid file, prints it, refuses to overwrite without --force', async (t) => {
  const dir = await copyProviders(t);
  const added = await cli(['providers', 'add', ...HOSTER, '--dir', dir]);
  t.equal(added.code, 0, added.stderr);
  const text = await readFile(join(dir, 'hoster.example.xml'), 'utf8');
  t.equal(added.stdout, text, 'prints what it wrote');
  t.match(added.stderr, /wrote .*hoster\.example\.xml: 2 domains, 1 MX domains, 3 servers/);
  const { config, problems } = parseProvider(text, { file: 'hoster.example.xml' });
  t.same(problems, []);
  t.same(config?.domains, ['hoster.example', 'kunde.example']);
  t.same(config?.mxDomains, ['mx.hoster.example']);
  t.equal(config?.displayName, 'Hoster & Co');
  t.same(
    config?.servers.map((s) => [s.protocol, s.host, s.port, s.security, s.username]),
    [
      ['imap', 'imap.hoster.example', 993, 'tls', '%EMAILADDRESS%'],
      ['pop3', 'pop.hoster.example', 995, 'tls', '%EMAILADDRESS%'],
      ['smtp', 'smtp.hoster.example', 587, 'starttls', '%EMAILADDRESS%'],
    ],
  );

  const again = await cli(['providers', 'add', ...HOSTER, '--dir', dir]);
  t.equal(again.code, 1);
  t.match(again.stderr, /hoster\.example\.xml already exists; add --force to replace it/);
  t.equal(await readFile(join(dir, 'hoster.example.xml'), 'utf8'), text, 'unchanged');

  const forced = await cli(['providers', 'add', ...HOSTER.map((a) => a.replace(':587:', ':2587:')), '--username', 'localpart', '--force', '--dir', dir]);
  t.equal(forced.code, 0, forced.stderr);
  t.match(forced.stderr, /replaced/);
  t.match(await readFile(join(dir, 'hoster.example.xml'), 'utf8'), /<port>2587<\/port>[\s\S]*%EMAILLOCALPART%/);
  t.same((await readdir(dir)).filter((n) => !n.endsWith('.xml')), [], 'no temp files');
});

t.test('add refuses domains claimed elsewhere, with file and line', async (t) => {
  const dir = await copyProviders(t);
  const res = await cli(['providers', 'add', '--id', 'thief', '--domain', 'thief.example', '--domain', 'posteo.at', '--imap', 'imap.thief.example:993:ssl', '--smtp', 'smtp.thief.example:465:ssl', '--dir', dir]);
  t.equal(res.code, 1);
  t.match(res.stderr, /thief\.xml:5: error: domain posteo\.at is already claimed by posteo\.de\.xml/);
  t.match(res.stderr, /thief\.xml not written/);
  const shadow = await cli(['providers', 'add', '--id', 'shadow', '--domain', 'shadow.example', '--mx-domain', 'gmx.net', '--imap', 'imap.shadow.example:993:ssl', '--smtp', 'smtp.shadow.example:465:ssl', '--dir', dir]);
  t.equal(shadow.code, 1);
  t.match(shadow.stderr, /MX domain gmx\.net shadows gmx\.net\.xml/);
  t.same((await readdir(dir)).sort(), ['gmx.net.xml', 'posteo.de.xml', 't-online.de.xml']);
});

t.test('add: clear messages for bad flags (exit 2)', async (t) => {
  const dir = await copyProviders(t, []);
  const base = ['providers', 'add', '--dir', dir];
  const server = ['--imap', 'imap.x.example:993:ssl', '--smtp', 'smtp.x.example:587:starttls'];
  const cases: [string[], RegExp][] = [
    [['--domain', 'x.example', ...server], /--id is required/],
    [['--id', '../x', '--domain', 'x.example', ...server], /--id "\.\.\/x" must be lower-case/],
    [['--id', 'x', '--domain', 'not a domain', ...server], /--domain "not a domain": the domain contains spaces/],
    [['--id', 'x', '--domain', 'x.example', '--imap', 'imap.x.example:993', '--smtp', 'smtp.x.example:587:starttls'], /--imap "imap\.x\.example:993": expected HOST:PORT:SECURITY, e\.g\. imap\.hoster\.example:993:ssl/],
    [['--id', 'x', '--domain', 'x.example', '--imap', 'imap.x.example:99999:ssl', '--smtp', 'smtp.x.example:587:starttls'], /port "99999" is not a number from 1 to 65535/],
    [['--id', 'x', '--domain', 'x.example', '--imap', 'imap.x.example:993:secure', '--smtp', 'smtp.x.example:587:starttls'], /security "secure" must be ssl \(or tls\), starttls, or plain \(or none\)/],
    [['--id', 'x', '--domain', 'x.example', '--imap', 'imap.x.example:993:ssl'], /name at least one --smtp server/],
    [['--id', 'x', '--domain', 'x.example', ...server, '--colour', 'red'], /Unknown option '--colour'/],
  ];
  const results = await Promise.all(cases.map(([args]) => cli([...base, ...args])));
  cases.forEach(([args, message], i) => {
    const res = results[i]!;
    t.equal(res.code, 2, args.join(' '));
    t.match(res.stderr, message, args.join(' '));
    t.notMatch(res.stderr, /\n\s+at /, 'no stack trace');
  });
  t.same(await readdir(dir), [], 'nothing written');
  const plain = await cli([...base, '--id', 'plain', '--domain', 'plain.example', '--imap', 'imap.plain.example:143:plain', '--smtp', 'smtp.plain.example:25:none']);
  t.equal(plain.code, 0, 'plaintext is allowed');
  t.match(plain.stderr, /warning: IMAP is offered only without encryption/);
});

t.test('show: by domain, by address, via MX domain; servers in preference order', async (t) => {
  const dir = await copyProviders(t);
  t.equal((await cli(['providers', 'add', ...HOSTER, '--dir', dir])).code, 0);
  const byDomain = await cli(['providers', 'show', 'posteo.at', '--dir', dir]);
  t.equal(byDomain.code, 0, byDomain.stderr);
  t.match(byDomain.stdout, /^posteo\.at: answered by .*posteo\.de\.xml:8 via address domain posteo\.at\n/);
  const rows = byDomain.stdout.split('\n').filter((l) => /^\s+(IMAP|POP3|SMTP)\s/.test(l));
  t.same(
    rows.map((r) => r.trim().split(/\s+/).slice(0, 4).join(' ')),
    ['IMAP posteo.de 993 SSL/TLS', 'IMAP posteo.de 143 STARTTLS', 'POP3 posteo.de 995 SSL/TLS', 'POP3 posteo.de 110 STARTTLS', 'SMTP posteo.de 465 SSL/TLS', 'SMTP posteo.de 587 STARTTLS'],
  );

  const byAddress = await cli(['providers', 'show', 'alice@kunde.example', '--dir', dir]);
  t.equal(byAddress.code, 0);
  t.match(byAddress.stdout, /answered by .*hoster\.example\.xml:5 via address domain kunde\.example/);
  t.match(byAddress.stdout, /IMAP\s+imap\.hoster\.example\s+993\s+SSL\/TLS\s+alice@kunde\.example\s+password-cleartext/);

  const byMx = await cli(['providers', 'show', 'mx1.mx.hoster.example', '--dir', dir]);
  t.equal(byMx.code, 0);
  t.match(byMx.stdout, /answered by .*hoster\.example\.xml:6 via MX domain mx\.hoster\.example \(mx1\.mx\.hoster\.example taken as an MX host\)/);

  const unknown = await cli(['providers', 'show', 'nobody.example', '--dir', dir]);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /no provider in .* answers for nobody\.example/);
  const bad = await cli(['providers', 'show', 'alice@', '--dir', dir]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /"alice@": the domain is empty/);
});

t.test('diff: per domain, exit 0 when equal and 1 when different', async (t) => {
  const a = await copyProviders(t);
  const b = await copyProviders(t);
  const same = await cli(['providers', 'diff', a, b]);
  t.equal(same.code, 0);
  t.match(same.stdout, /no differences for clients/);

  const posteo = join(b, 'posteo.de.xml');
  await writeFile(posteo, (await readFile(posteo, 'utf8')).replace('<port>587</port>', '<port>2587</port>').replace('    <domain>posteo.at</domain>\n', ''));
  await rename(join(b, 't-online.de.xml'), join(b, 'telekom.xml'));
  t.equal((await cli(['providers', 'add', ...HOSTER, '--dir', b])).code, 0);
  const diff = await cli(['providers', 'diff', a, b]);
  t.equal(diff.code, 1, diff.stderr);
  const out = diff.stdout;
  t.match(out, /^- posteo\.at {2}posteo\.de\.xml$/m);
  t.match(out, /^\+ hoster\.example {2}hoster\.example\.xml$/m);
  t.match(out, /^\+ mx\.hoster\.example \(MX\) {2}hoster\.example\.xml$/m);
  t.match(out, /^~ posteo\.de {2}posteo\.de\.xml\n {4}smtp: posteo\.de:465 SSL\/TLS .*, posteo\.de:587 STARTTLS .* -> posteo\.de:465 SSL\/TLS .*, posteo\.de:2587 STARTTLS/m);
  t.match(out, /^~ t-online\.de {2}telekom\.xml\n {4}moved: t-online\.de\.xml -> telekom\.xml$/m);
  t.match(out, /3 added, 1 removed, \d+ changed\n$/);

  const broken = await copyProviders(t, ['posteo.de.xml']);
  await cp(join(a, 'gmx.net.xml'), join(broken, 'gmx.net.xml'));
  await writeFile(join(broken, 'gmx.net.xml'), (await readFile(join(broken, 'gmx.net.xml'), 'utf8')).replace('<port>993</port>', '<port>0</port>'));
  const noted = await cli(['providers', 'diff', a, broken]);
  t.equal(noted.code, 1);
  t.match(noted.stderr, /note: .*gmx\.net\.xml:\d+: error: port "0".*not served, left out of the comparison/);
  t.match(noted.stdout, /^- gmx\.net {2}gmx\.net\.xml$/m);

  const missing = await cli(['providers', 'diff', a, join(a, 'nope')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /ENOENT/);
  t.equal((await cli(['providers', 'diff', a])).code, 2);
});

t.test('validate reports cross-file problems with file and line', async (t) => {
  const dir = await copyProviders(t);
  const ok = await cli(['providers', 'validate', dir]);
  t.equal(ok.code, 0, ok.stdout);
  t.match(ok.stdout, /3 providers, \d+ domains: 0 errors/);

  // Another file claiming posteo.de, and one whose MX domain is t-online.de's address domain.
  const file = (domains: string) => `<?xml version="1.0"?>\n<clientConfig version="1.1">\n  <emailProvider id="zz">\n${domains}\n    <incomingServer type="imap">
      <hostname>imap.zz.example</hostname><port>993</port><socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
    </incomingServer>\n  </emailProvider>\n</clientConfig>\n`;
  await writeFile(join(dir, 'zz-dup.xml'), file('    <domain>zz-dup.example</domain>\n    <domain>posteo.de</domain>'));
  await writeFile(join(dir, 'zz-shadow.xml'), file('    <domain>zz.example</domain>\n    <domain purpose="mx">t-online.de</domain>'));
  const res = await cli(['providers', 'validate', dir], dir);
  t.equal(res.code, 1);
  t.match(res.stdout, /^zz-dup\.xml:5: error: domain posteo\.de is already claimed by posteo\.de\.xml$/m);
  t.match(res.stdout, /^zz-shadow\.xml:\d+: error: MX domain t-online\.de shadows t-online\.de\.xml, which has it as an address domain$/m);
  const shadowLine = Number(/^zz-shadow\.xml:(\d+):/m.exec(res.stdout)?.[1]);
  t.match((await readFile(join(dir, 'zz-shadow.xml'), 'utf8')).split('\n')[shadowLine - 1], /purpose="mx">t-online\.de</, 'the line is the MX domain\'s');
  t.match(res.stdout, /2 errors/);
});
