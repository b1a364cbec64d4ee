// Reading an Outlook 2006a Autodiscover answer: which sections are mail settings, how SSL/Encryption map to the
// security modes, redirects, and what is refused (DOCTYPE, oversized, no host).
import t from 'tap';
import { parseAutodiscover } from '../../src/discovery/autodiscover-response.js';
import { renderPoxResponse } from '../../src/formats/autodiscover.js';
import { parseAddress } from '../../src/settings/address.js';
import type { ServerSettings } from '../../src/settings/model.js';
import { XmlError } from '../../src/xml/parse.js';

const LIMIT = 64 * 1024;
const RESPONSE = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';
const wrap = (account: string) =>
  `<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="${RESPONSE}">${account}</Response></Autodiscover>`;
const protocol = (fields: Record<string, string>) => `<Protocol>${Object.entries(fields).map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</Protocol>`;
const settings = (...protocols: string[]) => wrap(`<Account><AccountType>email</AccountType><Action>settings</Action>${protocols.join('')}</Account>`);

t.test("what this service's own renderer writes reads back as the same servers", async (t) => {
  const source = { kind: 'database' as const, detail: 'x', confidence: 'high' as const };
  const servers: ServerSettings[] = [
    { protocol: 'imap', host: 'imap.example.net', port: 993, security: 'tls', auth: ['password-cleartext'], username: '%EMAILADDRESS%', source },
    { protocol: 'pop3', host: 'pop.example.net', port: 110, security: 'starttls', auth: ['password-cleartext'], username: '%EMAILLOCALPART%', source },
    { protocol: 'smtp', host: 'smtp.example.net', port: 587, security: 'starttls', auth: ['NTLM'], username: '%EMAILADDRESS%', source },
  ];
  const xml = renderPoxResponse({ id: 'example.net', domains: ['example.net'], mxDomains: [], servers, documentation: [], enable: [], source }, parseAddress('alice@example.net'));
  const answer = parseAutodiscover(xml, LIMIT);
  t.match(answer, {
    kind: 'settings',
    servers: [
      { protocol: 'imap', host: 'imap.example.net', port: 993, security: 'tls', loginName: 'alice@example.net', spa: false },
      { protocol: 'pop3', host: 'pop.example.net', port: 110, security: 'starttls', loginName: 'alice' },
      { protocol: 'smtp', host: 'smtp.example.net', port: 587, security: 'starttls', spa: true },
    ],
    ignored: [],
  });
});

t.test('SSL and Encryption', async (t) => {
  const security = (fields: Record<string, string>) => {
    const answer = parseAutodiscover(settings(protocol({ Type: 'IMAP', Server: 'imap.example.net', ...fields })), LIMIT);
    return answer.kind === 'settings' ? `${answer.servers[0]?.security} ${answer.servers[0]?.port}` : answer.kind;
  };
  t.equal(security({ Port: '993', SSL: 'on' }), 'tls 993', 'SSL on, on an implicit-TLS port');
  t.equal(security({ Port: '143', SSL: 'on' }), 'starttls 143', 'SSL on, on the plain port: STARTTLS');
  t.equal(security({ Port: '143' }), 'starttls 143', 'SSL is on unless it says off');
  t.equal(security({ Port: '143', SSL: 'off' }), 'none 143');
  t.equal(security({ Port: '143', SSL: 'on', Encryption: 'SSL' }), 'tls 143', 'Encryption wins');
  t.equal(security({ Port: '993', Encryption: 'TLS' }), 'starttls 993');
  t.equal(security({ Port: '993', Encryption: 'None' }), 'none 993');
  t.equal(security({ Port: '993', Encryption: 'Auto' }), 'tls 993');
  t.equal(security({ Encryption: 'TLS' }), 'starttls 143', 'no Port: the standard port of the mode');
  t.equal(security({}), 'tls 993');
});

t.test('Exchange-only sections and answers are not mail settings', async (t) => {
  const answer = parseAutodiscover(settings(protocol({ Type: 'EXCH', Server: 'ex.example.net' }), protocol({ Type: 'EXPR', Server: 'rpc.example.net' }), protocol({ Type: 'WEB' }), protocol({ Type: 'SMTP', Server: 'smtp.example.net', Port: '465' })), LIMIT);
  t.match(answer, { kind: 'settings', servers: [{ protocol: 'smtp', port: 465, security: 'tls' }], ignored: [/^EXCH section ignored/, /^EXPR/, /^WEB/] });
  const mobile = `<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"><Action><Settings><Server><Type>MobileSync</Type><Url>https://eas.example.net/Microsoft-Server-ActiveSync</Url></Server></Settings></Action></Response></Autodiscover>`;
  t.match(parseAutodiscover(mobile, LIMIT), { kind: 'none', why: /mobilesync/ });
  t.match(parseAutodiscover(wrap('<Error Time="1" Id="2"><ErrorCode>600</ErrorCode><Message>Invalid Request</Message></Error>'), LIMIT), { kind: 'none', why: 'the server answered with an error 600: Invalid Request' });
  t.match(parseAutodiscover(wrap('<Account><AccountType>exch</AccountType></Account>'), LIMIT), { kind: 'none', why: /not mail/ });
});

t.test('redirects', async (t) => {
  t.same(parseAutodiscover(wrap('<Account><Action>redirectAddr</Action><RedirectAddr>bob@hosted.example</RedirectAddr></Account>'), LIMIT), { kind: 'redirectAddr', address: 'bob@hosted.example' });
  t.same(parseAutodiscover(wrap('<Account><Action>redirectUrl</Action><RedirectUrl>https://ad.hosted.example/autodiscover/autodiscover.xml</RedirectUrl></Account>'), LIMIT), { kind: 'redirectUrl', url: 'https://ad.hosted.example/autodiscover/autodiscover.xml' });
  t.match(parseAutodiscover(wrap('<Account><Action>redirectUrl</Action></Account>'), LIMIT), { kind: 'none' });
});

t.test('what is refused', async (t) => {
  t.throws(() => parseAutodiscover(`<!DOCTYPE x [<!ENTITY a "b">]>${settings()}`, LIMIT), XmlError, 'no DOCTYPE');
  t.throws(() => parseAutodiscover(settings(`<Protocol>${' '.repeat(LIMIT)}</Protocol>`), LIMIT), /larger than 65536 bytes/);
  t.throws(() => parseAutodiscover('<Autodiscover><Response>', LIMIT), XmlError, 'malformed');
  const bad = parseAutodiscover(settings(protocol({ Type: 'IMAP', Server: 'not a host', Port: '993' }), protocol({ Type: 'POP3', Server: 'pop.example.net', Port: '99999' })), LIMIT);
  t.match(bad, { kind: 'settings', servers: [], ignored: [/"not a host" is not a host name/, /port "99999" is not a port number/] });
  t.match(parseAutodiscover('<clientConfig/>', LIMIT), { kind: 'none', why: /not <Autodiscover>/ });
});
