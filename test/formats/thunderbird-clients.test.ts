// The 1.2 sections must not cost today's clients anything. These readers apply the rules of Thunderbird's
// readFromXML and Thunderbird for Android's RealAutoconfigParser (as described in standards.md section 5) to our
// answers: which server each would pick, and whether it rejects the file.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/config.js';
import { renderClientConfig } from '../../src/formats/thunderbird.js';
import { childrenNamed, firstChild, parseXml, type XmlElement } from '../../src/xml/parse.js';
import { parseProvider } from '../../src/providers/parse.js';
import { parseAddress } from '../../src/settings/address.js';

interface Pick { incoming: string; outgoing: string }

const text = (el: XmlElement, name: string) => firstChild(el, name)?.text;

/** Android: first imap incoming and first smtp outgoing; other types skipped; socketType plain, missing parts are errors. */
function android(xml: string): Pick {
  const provider = firstChild(parseXml(xml), 'emailProvider');
  if (!provider) throw new Error("Missing 'emailProvider' element");
  const known = ['OAuth2', 'password-cleartext', 'password-encrypted'];
  const read = (el: XmlElement) => {
    for (const name of ['hostname', 'port', 'username', 'socketType']) if (text(el, name) === undefined) throw new Error(`Missing '${name}' element`);
    if (!['SSL', 'STARTTLS'].includes(text(el, 'socketType')!)) throw new Error(`Unknown 'socketType' value: '${text(el, 'socketType')}'`);
    // Android reads the element text and ignores attributes: a system="sasl" value is just an unknown method.
    const auth = childrenNamed(el, 'authentication').map((a) => a.text).filter((a) => known.includes(a));
    if (auth.length === 0) throw new Error("No usable 'authentication' element found");
    return `${text(el, 'hostname')}:${text(el, 'port')} ${auth[0]}`;
  };
  const incoming = childrenNamed(provider, 'incomingServer').filter((el) => el.attrs.type === 'imap').map(read)[0];
  const outgoing = childrenNamed(provider, 'outgoingServer').filter((el) => el.attrs.type === 'smtp').map(read)[0];
  if (!incoming) throw new Error("Missing 'incomingServer' element");
  if (!outgoing) throw new Error("Missing 'outgoingServer' element");
  return { incoming, outgoing };
}

/** Thunderbird desktop: per server, a failure skips it; types pop3/imap/nntp/exchange; first supported auth value. */
function thunderbird(xml: string): Pick {
  const provider = firstChild(parseXml(xml), 'emailProvider');
  if (!provider) throw new Error('no_emailProvider.error');
  const methods = ['password-cleartext', 'plain', 'password-encrypted', 'secure', 'GSSAPI', 'NTLM', 'OAuth2', 'none', 'client-IP-address', 'smtp-after-pop'];
  const pick = (servers: XmlElement[], types: string[]) => {
    for (const el of servers) {
      if (!types.includes(el.attrs.type ?? '') || !text(el, 'hostname') || !text(el, 'port')) continue;
      if (!['plain', 'SSL', 'STARTTLS'].includes(text(el, 'socketType') ?? '')) continue;
      // An element with attributes is an object in Thunderbird's JXON, never equal to a method name.
      const auth = childrenNamed(el, 'authentication').find((a) => Object.keys(a.attrs).length === 0 && methods.includes(a.text));
      if (auth) return `${text(el, 'hostname')}:${text(el, 'port')} ${auth.text}`;
    }
    return undefined;
  };
  const incoming = pick(childrenNamed(provider, 'incomingServer'), ['pop3', 'imap', 'nntp', 'exchange']);
  const outgoing = pick(childrenNamed(provider, 'outgoingServer'), ['smtp']);
  if (!incoming) throw new Error('Need proper <incomingServer> in XML file');
  if (!outgoing) throw new Error('Need proper <outgoingServer> in XML file');
  return { incoming, outgoing };
}

const source = await readFile(join(PROJECT_ROOT, 'test', 'fixtures', 'autoconfig-1.2', 'modern.example.xml'), 'utf8');
const config = parseProvider(source, { file: 'modern.example.xml' }).config!;
const address = parseAddress('alice@modern.example');

t.test('a full 1.2 answer: both clients pick IMAP 993 and SMTP 465 as a 1.1 answer would have them', async (t) => {
  const xml = renderClientConfig(config, address);
  const { developerUrl: _developerUrl, ...rest } = config;
  const without12 = renderClientConfig({ ...rest, services: [], oauth2: { ...config.oauth2!, clientId: undefined }, servers: config.servers.map(({ sasl: _sasl, ...s }) => s), logos: [], contacts: [] });
  t.match(without12, /version="1\.1"/);
  for (const [name, reader] of [['Android', android], ['Thunderbird', thunderbird]] as const) {
    t.same(reader(xml), reader(renderClientConfig(parseProvider(without12, { file: 'x.xml' }).config!, address)), `${name}: same choice with and without the 1.2 sections`);
  }
  t.same(android(xml), { incoming: 'imap.modern.example:993 OAuth2', outgoing: 'smtp.modern.example:465 OAuth2' });
  t.same(thunderbird(xml), { incoming: 'imap.modern.example:993 OAuth2', outgoing: 'smtp.modern.example:465 OAuth2' });
  t.notMatch(xml, /<socketType>plain<\/socketType>/, 'the 1.2 sections add no plain socketType');
  t.match(xml, /<url>https:\/\/jmap\.modern\.example\/\.well-known\/jmap<\/url>/);
});

t.test('placeholders in 1.2 URLs are filled per address like the rest', async (t) => {
  const perUser = { ...config, services: [{ ...config.services![1]!, url: 'https://dav.modern.example/caldav/%EMAILADDRESS%/' }] };
  t.match(renderClientConfig(perUser, address), /<url>https:\/\/dav\.modern\.example\/caldav\/alice@modern\.example\/<\/url>/);
  t.match(renderClientConfig(perUser), /%EMAILADDRESS%/, 'kept for the client without an address');
});
