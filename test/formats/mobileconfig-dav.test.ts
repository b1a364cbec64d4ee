// CalDAV and CardDAV payloads in Apple profiles, keys as in Apple's device-management schema
// (mdm/profiles/com.apple.caldav.account.yaml, com.apple.carddav.account.yaml).
import t from 'tap';
import { parse } from 'plist';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/config.js';
import { profileIdentity, renderMobileconfig } from '../../src/formats/mobileconfig.js';
import { parseProvider } from '../../src/providers/parse.js';
import { parseAddress } from '../../src/settings/address.js';
import type { MailConfig, UrlService } from '../../src/settings/model.js';

type Dict = Record<string, unknown>;
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-8[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;
const modern = parseProvider(await readFile(join(PROJECT_ROOT, 'test', 'fixtures', 'autoconfig-1.2', 'modern.example.xml'), 'utf8'), { file: 'modern.example.xml' }).config!;
const alice = parseAddress('alice@modern.example');
const content = (config: MailConfig, address = alice) => (parse(renderMobileconfig(config, address)) as Dict).PayloadContent as Dict[];

// Every key Apple defines for the payload (VPNUUID and the password aside: never sent).
const CALDAV_KEYS = ['CalDAVAccountDescription', 'CalDAVHostName', 'CalDAVUsername', 'CalDAVPrincipalURL', 'CalDAVUseSSL', 'CalDAVPort'];
const CARDDAV_KEYS = CALDAV_KEYS.map((k) => k.replace('CalDAV', 'CardDAV'));
const COMMON = ['PayloadType', 'PayloadVersion', 'PayloadIdentifier', 'PayloadUUID', 'PayloadDisplayName', 'PayloadDescription'];

t.test('CalDAV and CardDAV payloads when the provider has them', async (t) => {
  const payloads = content(modern);
  t.same(payloads.map((p) => p.PayloadType), ['com.apple.mail.managed', 'com.apple.caldav.account', 'com.apple.carddav.account']);
  const [, caldav, carddav] = payloads as [Dict, Dict, Dict];
  t.same(Object.keys(caldav).sort(), [...COMMON, ...CALDAV_KEYS].sort(), 'only schema keys');
  t.same(Object.keys(carddav).sort(), [...COMMON, ...CARDDAV_KEYS].sort());
  t.match(caldav, { CalDAVHostName: 'dav.modern.example', CalDAVPort: 443, CalDAVUseSSL: true, CalDAVPrincipalURL: 'https://dav.modern.example/caldav/', CalDAVUsername: 'alice@modern.example', CalDAVAccountDescription: 'Modern Mail calendar', PayloadVersion: 1 });
  t.match(carddav, { CardDAVHostName: 'dav.modern.example', CardDAVPort: 443, CardDAVUseSSL: true, CardDAVPrincipalURL: 'https://dav.modern.example/carddav/', CardDAVUsername: 'alice@modern.example' });
  t.notMatch(renderMobileconfig(modern, alice), /<key>(CalDAV|CardDAV)Password<\/key>/, 'never a password');
  const id = profileIdentity(alice);
  t.equal(caldav.PayloadUUID, id.caldavUuid);
  t.equal(carddav.PayloadUUID, id.carddavUuid);
  t.match(caldav.PayloadUUID, UUID);
  t.equal(new Set(payloads.map((p) => p.PayloadUUID)).size, 3, 'UUIDs differ between payloads');
  t.not(content(modern, parseAddress('bob@modern.example'))[1]!.PayloadUUID, caldav.PayloadUUID, 'and between users');
  t.match((parse(renderMobileconfig(modern, alice)) as Dict).PayloadDescription, /also sets up calendars and contacts \(CalDAV, CardDAV\)/);
  const xml = renderMobileconfig(modern, alice);
  t.match(xml, /<key>CalDAVPort<\/key>\s*<integer>443<\/integer>/, 'port as <integer>');
});

t.test('ports, placeholders and URLs Apple cannot use', async (t) => {
  const dav = (url: string, protocol: 'caldav' | 'carddav' = 'caldav'): UrlService => ({ protocol, url, auth: ['Basic'], username: '%EMAILLOCALPART%', source: modern.source });
  const ported = content({ ...modern, services: [dav('https://Dav.%EMAILDOMAIN%:8443/cal/%EMAILADDRESS%/')] });
  t.match(ported[1], { CalDAVHostName: 'dav.modern.example', CalDAVPort: 8443, CalDAVPrincipalURL: 'https://Dav.modern.example:8443/cal/alice@modern.example/', CalDAVUsername: 'alice' });
  t.equal(ported.length, 2, 'no CardDAV: none given');
  const plain = content({ ...modern, services: [dav('http://dav.modern.example/cal/')] });
  t.same(plain.map((p) => p.PayloadType), ['com.apple.mail.managed'], 'an http URL gets no payload');
  const none = content({ ...modern, services: [] });
  t.equal(none.length, 1, 'no DAV: the mail payload alone, as before');
  t.notMatch((parse(renderMobileconfig({ ...modern, services: [] }, alice)) as Dict).PayloadDescription, /also sets up/);
});
