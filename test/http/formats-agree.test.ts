// For every provider in the bundled database, every format names the same servers: the JSON API's preference order
// is the reference; POX carries the best of each protocol, Apple the best incoming and SMTP, Thunderbird all of them.
import t from 'tap';
import * as plist from 'plist';
import { childrenNamed, firstChild, parseXml } from '../../src/xml/parse.js';
import { poxRequest, readPox } from '../helpers/autodiscover.js';
import { startTestServer } from '../helpers/server.js';

interface JsonServer {
  protocol: string;
  host: string;
  port: number;
  security: string;
  username: string;
}

const server = await startTestServer({ env: { MAILCONFIG_RATE_LIMIT: '0' } });
t.teardown(() => server.close());

const key = (protocol: string, host: string, port: number | string) => `${protocol}|${host}|${port}`;

t.test('Thunderbird, Outlook, Apple and JSON answers agree for every provider', async (t) => {
  for (const entry of server.store.current().entries()) {
    const domain = entry.config.domains[0] ?? entry.config.mxDomains[0]!;
    const email = `alice@${domain}`;
    const q = `emailaddress=${encodeURIComponent(email)}`;

    const json = (await (await fetch(`${server.url}/api/v1/settings?email=${encodeURIComponent(email)}`)).json()) as { servers: JsonServer[] };
    const first = (protocol: string) => json.servers.find((s) => s.protocol === protocol);

    const tb = firstChild(parseXml(await (await fetch(`${server.url}/mail/config-v1.1.xml?${q}`)).text()), 'emailProvider')!;
    const tbServers = [...childrenNamed(tb, 'incomingServer'), ...childrenNamed(tb, 'outgoingServer')].map((el) =>
      key(el.attrs.type!, firstChild(el, 'hostname')!.text, firstChild(el, 'port')!.text),
    );
    t.same(new Set(json.servers.map((s) => key(s.protocol, s.host, s.port))), new Set(tbServers), `${entry.file}: JSON and Thunderbird list the same servers`);

    const pox = readPox(await (await fetch(`${server.url}/autodiscover/autodiscover.xml`, { method: 'POST', body: poxRequest(email), headers: { 'content-type': 'text/xml' } })).text());
    for (const protocol of pox.protocols) {
      const best = first(protocol.Type === 'POP3' ? 'pop3' : protocol.Type!.toLowerCase());
      t.equal(key(protocol.Type!, protocol.Server!, protocol.Port!), key(protocol.Type!, best?.host ?? '', best?.port ?? ''), `${entry.file}: POX ${protocol.Type}`);
    }
    t.same(pox.protocols.map((p) => p.Type), ['IMAP', 'POP3', 'SMTP'].filter((type) => first(type.toLowerCase())), `${entry.file}: POX protocols`);

    const profileRes = await fetch(`${server.url}/mobileconfig?${q}`);
    const incoming = first('imap') ?? first('pop3');
    const outgoing = first('smtp');
    if (!incoming || !outgoing) {
      t.equal(profileRes.status, 404, `${entry.file}: no profile without incoming and outgoing servers`);
      continue;
    }
    const profile = plist.parse(await profileRes.text()) as { PayloadContent: Record<string, unknown>[] };
    const mail = profile.PayloadContent.find((p) => p.PayloadType === 'com.apple.mail.managed')!;
    t.equal(`${mail.IncomingMailServerHostName}:${mail.IncomingMailServerPortNumber}`, `${incoming.host}:${incoming.port}`, `${entry.file}: Apple incoming`);
    t.equal(`${mail.OutgoingMailServerHostName}:${mail.OutgoingMailServerPortNumber}`, `${outgoing.host}:${outgoing.port}`, `${entry.file}: Apple outgoing`);
    t.equal(mail.IncomingMailServerUsername, incoming.username, `${entry.file}: Apple user name`);
  }
});
