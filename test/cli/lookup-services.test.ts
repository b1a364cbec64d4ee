// `mailconfig lookup` shows calendars/contacts/JMAP found by RFC 6764 next to the mail servers.
import t from 'tap';
import { runCli } from '../helpers/cli.js';
import { startFakeDns } from '../helpers/fake-dns.js';

const dns = await startFakeDns({
  zone: {
    'dav.test': { MX: [{ exchange: 'mx01.posteo.de', priority: 10 }] },
    '_caldavs._tcp.dav.test': { SRV: [{ priority: 0, weight: 1, port: 443, target: 'cal.dav.test' }], TXT: ['path=/calendars/'] },
  },
});
t.teardown(() => dns.close());

t.test('the CalDAV URL from SRV + TXT is listed with its source', async (t) => {
  const { code, stdout: out, stderr: err } = await runCli(['lookup', 'alice@dav.test'], { env: { MAILCONFIG_DNS: `${dns.address}:${dns.port}`, MAILCONFIG_LOOKUP_TIMEOUT: '3' } });
  t.equal(code, 0, err);
  t.match(out, /IMAP\s+posteo\.de/);
  t.match(out, /^ {2}caldav {3}https:\/\/cal\.dav\.test\/calendars\/ {2}\(Basic; srv\)$/m);
  t.match(err, /^caldav: found: _caldavs\._tcp\.dav\.test SRV 0 1 443 cal\.dav\.test, TXT path=\/calendars\//m);
  t.match(err, /^pacc: nothing: .*ua-auto-config\.dav\.test/m, 'the PACC step ran and found nothing');
});
