import t from 'tap';
import { parse } from 'plist';
import {
  MOBILECONFIG_CONTENT_TYPE,
  ProfileError,
  appleAuthentication,
  mobileconfigObject,
  profileFilename,
  profileIdentity,
  renderMobileconfig,
} from '../../src/formats/mobileconfig.js';
import { BUNDLED_PROVIDERS } from '../../src/config.js';
import { openProviderDatabase } from '../../src/providers/database.js';
import { parseAddress } from '../../src/settings/address.js';
import type { AuthMethod, MailConfig, ServerSettings } from '../../src/settings/model.js';
import { fillTemplate } from '../../src/settings/placeholders.js';
import { preferredServers } from '../../src/settings/preference.js';

type Dict = Record<string, unknown>;
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;
const source = { kind: 'database', detail: 'test.xml', confidence: 'high' } as const;

function srv(protocol: ServerSettings['protocol'], port: number, security: ServerSettings['security'], auth: AuthMethod[] = ['password-cleartext'], extra: Partial<ServerSettings> = {}): ServerSettings {
  return { protocol, host: `${protocol}.example.net`, port, security, auth, username: '%EMAILADDRESS%', source, ...extra };
}

function config(servers: ServerSettings[], extra: Partial<MailConfig> = {}): MailConfig {
  return { id: 'example.net', domains: ['example.net'], mxDomains: [], displayName: 'Example Mail', servers, documentation: [], enable: [], source, ...extra };
}

function profile(xml: string): { outer: Dict; mail: Dict } {
  const outer = parse(xml) as Dict;
  const content = outer.PayloadContent as Dict[];
  return { outer, mail: content[0]! };
}

const alice = parseAddress('alice@example.net');
const basic = config([srv('imap', 993, 'tls'), srv('smtp', 587, 'starttls')]);

t.test('a profile for every bundled provider names its preferred servers, with the right types', async (t) => {
  const { index } = await openProviderDatabase(BUNDLED_PROVIDERS);
  t.ok(index.size > 100);
  for (const { config: provider } of index.entries()) {
    const address = parseAddress(`someone@${provider.domains[0]}`);
    const xml = renderMobileconfig(provider, address);
    const { outer, mail } = profile(xml);
    const { incoming, outgoing } = preferredServers(provider);
    const tag = provider.id;
    t.equal(outer.PayloadVersion, 1, tag);
    t.equal(mail.PayloadVersion, 1, tag);
    t.equal(mail.EmailAccountType, incoming!.protocol === 'imap' ? 'EmailTypeIMAP' : 'EmailTypePOP', tag);
    t.equal(mail.IncomingMailServerHostName, fillTemplate(incoming!.host, address), tag);
    t.equal(mail.IncomingMailServerPortNumber, incoming!.port, tag);
    t.equal(mail.IncomingMailServerUseSSL, incoming!.security !== 'none', tag);
    t.equal(mail.IncomingMailServerUsername, fillTemplate(incoming!.username, address), tag);
    t.equal(mail.OutgoingMailServerHostName, fillTemplate(outgoing!.host, address), tag);
    t.equal(mail.OutgoingMailServerPortNumber, outgoing!.port, tag);
    t.equal(mail.OutgoingMailServerUseSSL, outgoing!.security !== 'none', tag);
    t.equal(mail.OutgoingMailServerUsername, fillTemplate(outgoing!.username, address), tag);
    t.equal(mail.EmailAddress, address.address, tag);
    t.notMatch(xml, /<real>/, `${tag}: no <real>`);
    t.notMatch(xml, /%[A-Z-]+%/, `${tag}: no placeholder left`);
    // Ports are written as <integer> in the XML text itself, not just parsed back as numbers.
    t.match(xml, new RegExp(`<key>IncomingMailServerPortNumber</key>\\s*<integer>${incoming!.port}</integer>`), tag);
    t.match(xml, new RegExp(`<key>OutgoingMailServerPortNumber</key>\\s*<integer>${outgoing!.port}</integer>`), tag);
  }
});

t.test('outer and inner payload fields (the Apple traps)', async (t) => {
  const xml = renderMobileconfig(basic, alice);
  const { outer, mail } = profile(xml);
  t.equal(MOBILECONFIG_CONTENT_TYPE, 'application/x-apple-aspen-config');
  t.equal(outer.PayloadType, 'Configuration');
  t.equal(outer.PayloadRemovalDisallowed, false);
  t.equal(outer.PayloadOrganization, 'Example Mail');
  t.match(outer.PayloadDisplayName, /Example Mail/);
  t.match(outer.PayloadDescription, /imap\.example\.net:993/);
  t.equal((outer.PayloadContent as unknown[]).length, 1);
  t.equal(mail.PayloadType, 'com.apple.mail.managed');
  t.equal(mail.EmailAccountDescription, 'Example Mail');
  t.equal(mail.EmailAddress, 'alice@example.net');
  t.equal(mail.OutgoingPasswordSameAsIncomingPassword, true);
  // PayloadVersion is the integer 1 in both dicts, and nothing else anywhere.
  const versions = [...xml.matchAll(/<key>PayloadVersion<\/key>\s*<(\w+)>([^<]*)</g)].map((m) => `${m[1]}:${m[2]}`);
  t.same(versions, ['integer:1', 'integer:1']);
  t.match(outer.PayloadIdentifier, /^net\.example\.mailconfig\.[0-9a-f]+$/);
  t.equal(mail.PayloadIdentifier, `${outer.PayloadIdentifier as string}.mail`);
  t.match(outer.PayloadUUID, UUID);
  t.match(mail.PayloadUUID, UUID);
  t.not(outer.PayloadUUID, mail.PayloadUUID);
});

t.test('never a password', async (t) => {
  const xml = renderMobileconfig(basic, alice);
  const { mail } = profile(xml);
  const keys = Object.keys(mail).filter((k) => /password/i.test(k));
  t.same(keys, ['OutgoingPasswordSameAsIncomingPassword']);
});

t.test('identity: stable per address, different between addresses', async (t) => {
  const a1 = profile(renderMobileconfig(basic, alice)).outer;
  const a2 = profile(renderMobileconfig(basic, parseAddress('Alice@EXAMPLE.net'))).outer;
  const other = config([srv('imap', 143, 'starttls'), srv('smtp', 465, 'tls')], { displayName: 'Changed' });
  const a3 = profile(renderMobileconfig(other, alice)).outer;
  const bob = profile(renderMobileconfig(basic, parseAddress('bob@example.net'))).outer;
  const aliceElsewhere = profile(renderMobileconfig(basic, parseAddress('alice@example.org'))).outer;
  for (const same of [a2, a3]) {
    t.equal(same.PayloadUUID, a1.PayloadUUID);
    t.equal(same.PayloadIdentifier, a1.PayloadIdentifier);
    t.equal((same.PayloadContent as Dict[])[0]!.PayloadUUID, (a1.PayloadContent as Dict[])[0]!.PayloadUUID);
  }
  for (const different of [bob, aliceElsewhere]) {
    t.not(different.PayloadUUID, a1.PayloadUUID);
    t.not(different.PayloadIdentifier, a1.PayloadIdentifier);
    t.not((different.PayloadContent as Dict[])[0]!.PayloadUUID, (a1.PayloadContent as Dict[])[0]!.PayloadUUID);
  }
  // Many addresses, no collisions.
  const uuids = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const id = profileIdentity(parseAddress(`user${i}@example.net`));
    uuids.add(id.profileUuid).add(id.mailUuid);
  }
  t.equal(uuids.size, 1000);
});

t.test('TLS flag: true for implicit TLS and STARTTLS, false for plain', async (t) => {
  const cases: [ServerSettings['security'], boolean][] = [['tls', true], ['starttls', true], ['none', false]];
  for (const [security, expected] of cases) {
    const { mail } = profile(renderMobileconfig(config([srv('imap', 143, security), srv('smtp', 25, security)]), alice));
    t.equal(mail.IncomingMailServerUseSSL, expected, security);
    t.equal(mail.OutgoingMailServerUseSSL, expected, security);
  }
});

t.test('authentication mapping', async (t) => {
  const cases: [AuthMethod[], string][] = [
    [['password-cleartext'], 'EmailAuthPassword'],
    [['password-encrypted'], 'EmailAuthCRAMMD5'],
    [['NTLM'], 'EmailAuthNTLM'],
    [['none'], 'EmailAuthNone'],
    [['OAuth2'], 'EmailAuthPassword'],
    [['OAuth2', 'password-encrypted'], 'EmailAuthCRAMMD5'],
    [['GSSAPI', 'NTLM'], 'EmailAuthNTLM'],
    [['client-IP-address'], 'EmailAuthNone'],
  ];
  for (const [methods, expected] of cases) {
    t.equal(appleAuthentication(methods), expected, methods.join(','));
    const { mail } = profile(renderMobileconfig(config([srv('imap', 993, 'tls', methods), srv('smtp', 465, 'tls', methods)]), alice));
    t.equal(mail.IncomingMailServerAuthentication, expected);
    t.equal(mail.OutgoingMailServerAuthentication, expected);
  }
});

t.test('IMAP is preferred over POP3; POP3 alone gives a POP account', async (t) => {
  const both = profile(renderMobileconfig(config([srv('pop3', 995, 'tls'), srv('imap', 143, 'starttls'), srv('smtp', 465, 'tls')]), alice)).mail;
  t.equal(both.EmailAccountType, 'EmailTypeIMAP');
  t.equal(both.IncomingMailServerPortNumber, 143);
  const pop = profile(renderMobileconfig(config([srv('pop3', 110, 'starttls'), srv('pop3', 995, 'tls'), srv('smtp', 465, 'tls')]), alice)).mail;
  t.equal(pop.EmailAccountType, 'EmailTypePOP');
  t.equal(pop.IncomingMailServerPortNumber, 995);
});

t.test('user names and host templates are filled in', async (t) => {
  const c = config([
    srv('imap', 993, 'tls', ['password-cleartext'], { username: '%EMAILLOCALPART%', host: 'imap.%EMAILDOMAIN%' }),
    srv('smtp', 587, 'starttls', ['password-cleartext'], { username: '%EMAILLOCALPART%+smtp' }),
  ]);
  const { mail } = profile(renderMobileconfig(c, alice));
  t.equal(mail.IncomingMailServerUsername, 'alice');
  t.equal(mail.IncomingMailServerHostName, 'imap.example.net');
  t.equal(mail.OutgoingMailServerUsername, 'alice+smtp');
});

t.test('addresses with markup characters or placeholder text stay exact (escaped, filled in one pass)', async (t) => {
  for (const input of ["o'&x@example.net", '%EMAILDOMAIN%@example.net', '%MAILCONFIG-IDENTIFIER%@example.net', 'jürgen@bücher.example']) {
    const address = parseAddress(input);
    const xml = renderMobileconfig(basic, address);
    const parsed = parse(xml);
    t.same(parsed, mobileconfigObject(basic, address), input);
    const { mail, outer } = profile(xml);
    t.equal(mail.EmailAddress, address.address, input);
    t.equal(mail.IncomingMailServerUsername, address.address, input);
    t.match(outer.PayloadUUID, UUID, input);
  }
  const idn = profile(renderMobileconfig(basic, parseAddress('jürgen@bücher.example'))).outer;
  t.match(idn.PayloadDisplayName, /jürgen@bücher\.example/, 'people read the Unicode domain');
  t.equal((idn.PayloadContent as Dict[])[0]!.EmailAddress, 'jürgen@xn--bcher-kva.example');
});

t.test('configs that cannot become a profile throw ProfileError', async (t) => {
  t.throws(() => renderMobileconfig(config([srv('smtp', 465, 'tls')]), alice), ProfileError);
  t.throws(() => renderMobileconfig(config([srv('imap', 993, 'tls')]), alice), ProfileError);
  t.throws(() => renderMobileconfig(config([srv('imap', 993.5, 'tls'), srv('smtp', 465, 'tls')]), alice), { name: 'ProfileError', message: /port/ });
  // Cached as an error too: the second call fails the same way.
  const broken = config([srv('smtp', 465, 'tls')]);
  t.throws(() => renderMobileconfig(broken, alice), ProfileError);
  t.throws(() => renderMobileconfig(broken, alice), ProfileError);
});

t.test('the file name is safe inside a quoted Content-Disposition', async (t) => {
  t.equal(profileFilename(alice), 'alice@example.net.mobileconfig');
  for (const input of ['jürgen@bücher.example', "a/b'c&d%e@example.net", 'x=y?z`{}|~@example.net']) {
    t.match(profileFilename(parseAddress(input)), /^[A-Za-z0-9._@+-]+\.mobileconfig$/, input);
  }
  t.ok(profileFilename(parseAddress(`${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.example`)).length <= 140);
});
