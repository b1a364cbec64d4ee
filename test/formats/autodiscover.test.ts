import t from 'tap';
import {
  OUTLOOK_RESPONSE_SCHEMA,
  POX_MAX_BYTES,
  RESPONSE_NS,
  addressFromLegacyDN,
  formatErrorTime,
  isV2Protocol,
  parsePoxRequest,
  renderPoxError,
  renderPoxResponse,
  renderV2Error,
  renderV2Pointer,
  type PoxErrorCode,
} from '../../src/formats/autodiscover.js';
import { openProviderDatabase } from '../../src/providers/database.js';
import { BUNDLED_PROVIDERS } from '../../src/config.js';
import { parseAddress, type EmailAddress } from '../../src/settings/address.js';
import type { AuthMethod, MailConfig, Protocol, Security, ServerSettings } from '../../src/settings/model.js';
import { fillTemplate } from '../../src/settings/placeholders.js';
import { preferredServers } from '../../src/settings/preference.js';
import { MOBILESYNC_REQUEST_NS, MOBILESYNC_SCHEMA, poxRequest, readPox } from '../helpers/autodiscover.js';

function server(protocol: Protocol, port: number, security: Security, auth: AuthMethod[] = ['password-cleartext'], username = '%EMAILADDRESS%'): ServerSettings {
  return { protocol, host: `${protocol}.example.net`, port, security, auth, username, source: { kind: 'database', detail: 'test', confidence: 'high' } };
}

function config(servers: ServerSettings[]): MailConfig {
  return { id: 'example.net', domains: ['example.net'], mxDomains: [], servers, documentation: [], enable: [], source: { kind: 'database', detail: 'test', confidence: 'high' } };
}

const alice = parseAddress('alice@example.net');

t.test('request: Outlook\'s own body, with or without namespace prefixes', async (t) => {
  const plain = parsePoxRequest(poxRequest('alice@example.net'));
  t.same(plain, { ok: true, address: alice, via: 'EMailAddress' });
  const prefixed = [
    `<a:Autodiscover xmlns:a="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">`,
    `<a:Request><a:EMailAddress>Alice@Example.NET</a:EMailAddress>`,
    `<a:AcceptableResponseSchema>${OUTLOOK_RESPONSE_SCHEMA}</a:AcceptableResponseSchema></a:Request></a:Autodiscover>`,
  ].join('');
  const result = parsePoxRequest(prefixed);
  t.ok(result.ok);
  if (result.ok) t.equal(result.address.address, 'Alice@example.net');
  // No schema named in an Outlook-namespace request: served (nothing else could be meant).
  t.ok(parsePoxRequest(`<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>alice@example.net</EMailAddress></Request></Autodiscover>`).ok);
});

t.test('request: LegacyDN', async (t) => {
  const body = (dn: string, email = '') =>
    `<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request>${email}<LegacyDN>${dn}</LegacyDN><AcceptableResponseSchema>${OUTLOOK_RESPONSE_SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>`;
  const withAddress = parsePoxRequest(body('/o=Example/ou=First Administrative Group/cn=Recipients/cn=alice@example.net'));
  t.same(withAddress, { ok: true, address: alice, via: 'LegacyDN' });
  const exchangeOnly = parsePoxRequest(body('/o=Example/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice'));
  t.match(exchangeOnly, { ok: false, code: 500, reason: /LegacyDN/ }, 'a directory name only Exchange can resolve: address unknown');
  const both = parsePoxRequest(body('/o=Example/cn=bob', '<EMailAddress>alice@example.net</EMailAddress>'));
  t.match(both, { ok: true, via: 'EMailAddress' }, 'EMailAddress wins over LegacyDN');
  t.equal(addressFromLegacyDN('bob@example.net')?.address, 'bob@example.net');
  t.equal(addressFromLegacyDN('/o=x/cn=not an address'), undefined);
  t.equal(addressFromLegacyDN('/o=Example/cn=Recipients/cn=alice@example.net')?.address, 'alice@example.net', 'the last cn, not the whole DN');
  t.equal(addressFromLegacyDN('/o=Example/cn=alice@example.net/cn=alice'), undefined);
});

t.test('request: any schema but Outlook 2006a is error 601', async (t) => {
  t.match(parsePoxRequest(poxRequest('alice@example.net', MOBILESYNC_SCHEMA, MOBILESYNC_REQUEST_NS)), { ok: false, code: 601 });
  t.match(parsePoxRequest(poxRequest('alice@example.net', 'http://example.net/some/other/schema')), { ok: false, code: 601 });
  const mobilesyncNoSchema = `<Autodiscover xmlns="${MOBILESYNC_REQUEST_NS}"><Request><EMailAddress>alice@example.net</EMailAddress></Request></Autodiscover>`;
  t.match(parsePoxRequest(mobilesyncNoSchema), { ok: false, code: 601 }, 'the request namespace counts when no schema is named');
});

t.test('request: invalid requests are error 600 with a reason', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['not XML', 'this is not xml', /not acceptable XML/],
    ['unclosed element', '<Autodiscover><Request>', /not acceptable XML/],
    ['DOCTYPE with an entity', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "alice@example.net">]><Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>', /DOCTYPE/],
    ['external entity', '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><Autodiscover/>', /DOCTYPE/],
    ['oversized', poxRequest('alice@example.net').replace('<Request>', `<Request><!--${'x'.repeat(POX_MAX_BYTES)}-->`), /larger than 16384/],
    ['wrong root', '<Request><EMailAddress>alice@example.net</EMailAddress></Request>', /root element/],
    ['no Request', '<Autodiscover/>', /no <Request>/],
    ['no address', `<Autodiscover><Request><AcceptableResponseSchema>${OUTLOOK_RESPONSE_SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>`, /neither <EMailAddress> nor <LegacyDN>/],
    ['empty address', poxRequest(''), /neither/],
    ['not an address', poxRequest('alice'), /no @/],
    ['markup in the address', poxRequest('a&lt;b&gt;@example.net'), /characters an address cannot have/],
    ['undeclared entity', poxRequest('&x;@example.net'), /not an e-mail address/],
  ];
  for (const [name, body, reason] of cases) t.match(parsePoxRequest(body), { ok: false, code: 600, reason }, name);
});

// Found by test/formats/autodiscover.property.test.ts.
t.test('request: a root named like markup is named, not written as a tag; text around an element is no address', async (t) => {
  const script = parsePoxRequest('<script>x</script>');
  t.match(script, { ok: false, code: 600, reason: 'the root element is "script", expected <Autodiscover>' });
  t.notMatch(JSON.stringify(script), /<script/);
  t.match(parsePoxRequest('<img src="x"/>'), { ok: false, code: 600, reason: 'the root element is "img", expected <Autodiscover>' });
  // Was accepted as alice.bob@example.org: the text on both sides of <script> joined.
  t.match(parsePoxRequest(poxRequest('alice.<script>x</script>bob@example.org')), { ok: false, code: 600, reason: '<EMailAddress> holds elements; it must hold only text' });
  t.match(parsePoxRequest(poxRequest('alice@example.org', `${OUTLOOK_RESPONSE_SCHEMA}<x/>`)), { ok: false, code: 600, reason: /<AcceptableResponseSchema> holds elements/ });
});

t.test('request: an IDN address is normalized to punycode', async (t) => {
  const result = parsePoxRequest(poxRequest('jörg@bücher.example'));
  t.match(result, { ok: true, address: { domain: 'xn--bcher-kva.example', domainUnicode: 'bücher.example', address: 'jörg@xn--bcher-kva.example' } });
});

t.test('response: namespaces, account and one Protocol per protocol in order IMAP, POP3, SMTP', async (t) => {
  const servers = [server('smtp', 587, 'starttls'), server('pop3', 995, 'tls'), server('imap', 143, 'starttls'), server('imap', 993, 'tls')];
  const answer = readPox(renderPoxResponse(config(servers), alice));
  t.equal(answer.root.attrs.xmlns, RESPONSE_NS);
  t.equal(answer.response.attrs.xmlns, OUTLOOK_RESPONSE_SCHEMA);
  const account = answer.response.children.find((c) => c.name === 'Account')!;
  t.same(account.children.slice(0, 2).map((c) => [c.name, c.text]), [['AccountType', 'email'], ['Action', 'settings']]);
  t.same(answer.protocols.map((p) => p.Type), ['IMAP', 'POP3', 'SMTP'], 'POP3 is named POP3, never POP');
  t.same(answer.protocols.map((p) => p.Port), ['993', '995', '587'], 'the best server of each protocol');
  for (const p of answer.protocols) {
    t.equal(p.SPA, 'off');
    t.equal(p.DomainRequired, 'off');
    t.equal(p.AuthRequired, 'on');
    t.equal(p.LoginName, 'alice@example.net');
  }
  t.equal(answer.protocols[2]!.UsePOPAuth, 'on');
  t.equal(answer.protocols[2]!.SMTPLast, 'off');
  t.notOk('UsePOPAuth' in answer.protocols[0]!, 'UsePOPAuth only for SMTP');
  t.notOk(answer.response.children.some((c) => c.name === 'User'), 'no User without a display name');
});

t.test('response: SSL and Encryption per security (implicit TLS = SSL, STARTTLS = TLS, none = None)', async (t) => {
  const cases: [Security, string, string][] = [['tls', 'on', 'SSL'], ['starttls', 'on', 'TLS'], ['none', 'off', 'None']];
  for (const [security, ssl, encryption] of cases) {
    const [p] = readPox(renderPoxResponse(config([server('imap', 1143, security)]), alice)).protocols;
    t.equal(p!.SSL, ssl, `${security}: SSL`);
    t.equal(p!.Encryption, encryption, `${security}: Encryption`);
  }
});

t.test('response: SPA only for NTLM-only servers; AuthRequired off only when no credentials are taken', async (t) => {
  const ntlm = readPox(renderPoxResponse(config([server('imap', 993, 'tls', ['NTLM']), server('smtp', 465, 'tls', ['NTLM', 'password-cleartext'])]), alice));
  t.equal(ntlm.protocols[0]!.SPA, 'on');
  t.equal(ntlm.protocols[1]!.SPA, 'off', 'a server that also takes a password does not need SPA');
  const open = readPox(renderPoxResponse(config([server('smtp', 25, 'none', ['none'], '')]), alice)).protocols[0]!;
  t.equal(open.AuthRequired, 'off');
  t.equal(open.UsePOPAuth, 'off');
  t.equal(open.SMTPLast, 'off');
  t.notOk('LoginName' in open, 'no empty LoginName');
  const afterPop = readPox(renderPoxResponse(config([server('smtp', 25, 'none', ['smtp-after-pop'])]), alice)).protocols[0]!;
  t.equal(afterPop.SMTPLast, 'on', 'SMTP after POP: receive before sending');
  t.equal(afterPop.AuthRequired, 'off');
});

t.test('response: every on/off value is exactly on or off', async (t) => {
  const servers = [server('imap', 993, 'tls', ['NTLM']), server('pop3', 110, 'none'), server('smtp', 25, 'none', ['none'])];
  for (const p of readPox(renderPoxResponse(config(servers), alice)).protocols) {
    for (const name of ['DomainRequired', 'SPA', 'SSL', 'AuthRequired', 'UsePOPAuth', 'SMTPLast']) {
      if (name in p) t.match(p[name], /^(on|off)$/, `${p.Type} ${name}`);
    }
  }
});

t.test('response: LoginName from the template; hosts with placeholders filled', async (t) => {
  const servers = [{ ...server('imap', 993, 'tls', undefined, '%EMAILLOCALPART%.%EMAILDOMAIN%'), host: 'imap.%EMAILDOMAIN%' }];
  const [p] = readPox(renderPoxResponse(config(servers), alice)).protocols;
  t.equal(p!.LoginName, 'alice.example.net');
  t.equal(p!.Server, 'imap.example.net');
});

t.test('response: each address gets its own values (rendering is cached per config), placeholders filled once', async (t) => {
  const shared = config([server('imap', 993, 'tls'), server('smtp', 465, 'tls', undefined, '%EMAILLOCALPART%')]);
  const bob = parseAddress('bob@example.net');
  const forAlice = readPox(renderPoxResponse(shared, alice)).protocols;
  const forBob = readPox(renderPoxResponse(shared, bob)).protocols;
  t.same(forAlice.map((p) => p.LoginName), ['alice@example.net', 'alice']);
  t.same(forBob.map((p) => p.LoginName), ['bob@example.net', 'bob']);
  t.same(readPox(renderPoxResponse(shared, bob, { ttlHours: 5 })).protocols.map((p) => p.TTL), ['5', '5']);
  t.same(readPox(renderPoxResponse(shared, bob)).protocols.map((p) => p.TTL), [undefined, undefined]);
  const tricky = parseAddress('%EMAILDOMAIN%@example.net');
  t.equal(readPox(renderPoxResponse(shared, tricky)).protocols[0]!.LoginName, '%EMAILDOMAIN%@example.net', 'a placeholder-like local part is not filled again');
});

t.test('response: XML injection in the address is escaped and the document still parses', async (t) => {
  // Built by hand: the renderer must be safe even for an address the parser would never let through.
  const evil: EmailAddress = { localPart: `x</LoginName><SPA>on</SPA><x a="'&`, domain: 'example.net', domainUnicode: 'example.net', address: `x</LoginName><SPA>on</SPA><x a="'&@example.net` };
  const xml = renderPoxResponse(config([server('imap', 993, 'tls')]), evil, { displayName: 'Dr. <b>"O\'Neil" & Co</b>' });
  const answer = readPox(xml);
  t.equal(answer.protocols.length, 1);
  t.equal(answer.protocols[0]!.LoginName, evil.address);
  t.equal(answer.protocols[0]!.SPA, 'off');
  const user = answer.response.children.find((c) => c.name === 'User');
  t.equal(user?.children[0]?.text, 'Dr. <b>"O\'Neil" & Co</b>');
  const real = parseAddress("o'&x@example.net");
  t.equal(readPox(renderPoxResponse(config([server('imap', 993, 'tls')]), real)).protocols[0]!.LoginName, "o'&x@example.net");
});

t.test('response: TTL in each Protocol when given; IDN address in punycode', async (t) => {
  const idn = parseAddress('jörg@bücher.example');
  const answer = readPox(renderPoxResponse(config([server('imap', 993, 'tls'), server('smtp', 465, 'tls')]), idn, { ttlHours: 24 }));
  t.same(answer.protocols.map((p) => p.TTL), ['24', '24']);
  t.equal(answer.protocols[0]!.LoginName, 'jörg@xn--bcher-kva.example');
});

t.test('response: every bundled provider, against its own data', async (t) => {
  const { index } = await openProviderDatabase(BUNDLED_PROVIDERS);
  const seen = new Set<string>();
  for (const entry of index.entries()) {
    const domain = entry.config.domains[0];
    if (!domain) continue;
    const address = parseAddress(`alice@${domain}`);
    const best = preferredServers(entry.config);
    const expected = [best.imap, best.pop3, best.outgoing].filter((s): s is ServerSettings => s !== undefined);
    const { protocols } = readPox(renderPoxResponse(entry.config, address));
    const wrong: string[] = [];
    expected.forEach((s, i) => {
      const p = protocols[i] ?? {};
      const encryption = { tls: 'SSL', starttls: 'TLS', none: 'None' }[s.security];
      const ssl = s.security === 'none' ? 'off' : 'on';
      seen.add(`${s.protocol}:${s.port}:${s.security}`);
      const want = { Type: s.protocol.toUpperCase(), Server: fillTemplate(s.host, address), Port: String(s.port), SSL: ssl, Encryption: encryption, SPA: 'off' };
      for (const [key, value] of Object.entries(want)) if (p[key] !== value) wrong.push(`${s.protocol} ${key}=${p[key]} (expected ${value})`);
      const login = fillTemplate(s.username, address);
      if ((p.LoginName ?? '') !== login) wrong.push(`${s.protocol} LoginName=${p.LoginName} (expected ${login})`);
    });
    if (protocols.length !== expected.length) wrong.push(`${protocols.length} protocols, expected ${expected.length}`);
    if (wrong.length > 0) t.fail(`${entry.file}: ${wrong.join('; ')}`);
  }
  // The data must really contain each case, or the loop above proves nothing about it.
  for (const needed of ['imap:993:tls', 'pop3:995:tls', 'smtp:465:tls', 'imap:143:starttls', 'smtp:587:starttls', 'pop3:110:none']) {
    t.ok(seen.has(needed), `bundled data covers ${needed}`);
  }
});

t.test('error document: every code, Time and Id attributes, escaped DebugData', async (t) => {
  const time = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 67));
  t.equal(formatErrorTime(time), '03:04:05.0670000');
  for (const code of [500, 501, 600, 601, 602, 603] as PoxErrorCode[]) {
    const answer = readPox(renderPoxError(code, { time, id: 'req-1', debugData: '<x>&"' }));
    t.equal(answer.root.attrs.xmlns, RESPONSE_NS);
    t.equal(answer.response.attrs.xmlns, undefined, 'Response stays in the root namespace');
    t.match(answer.error, { code: String(code), message: /\S/, time: '03:04:05.0670000', id: 'req-1', debugData: '<x>&"' });
    t.same(answer.protocols, [], 'no settings in an error');
  }
  t.match(renderPoxError(600, { time, id: 'a"b' }), /<DebugData\/>/);
  t.equal(readPox(renderPoxError(600, { time, id: 'a"b<' })).error?.id, 'a"b<');
});

t.test('V2: protocol matching and the JSON bodies', async (t) => {
  for (const p of ['AutodiscoverV1', 'autodiscoverv1', 'Autodiscoverv1', 'AUTODISCOVERV1']) t.ok(isV2Protocol(p), p);
  for (const p of [undefined, '', 'Ews', 'ActiveSync', 'AutodiscoverV1 ', 'Rest']) t.notOk(isV2Protocol(p), String(p));
  t.same(JSON.parse(renderV2Pointer('https://mail.example.net')), { Protocol: 'AutodiscoverV1', Url: 'https://mail.example.net/autodiscover/autodiscover.xml' });
  t.same(JSON.parse(renderV2Error('InvalidProtocol', 'no "x"')), { ErrorCode: 'InvalidProtocol', ErrorMessage: 'no "x"' });
});
