// The bundled database must answer Thunderbird exactly as the public ISPDB does. This reads the ISPDB files with the
// generic XML reader (not the provider parser under test) and compares what clients use.
import t from 'tap';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { childrenNamed, firstChild, parseXml, type XmlElement } from '../../src/xml/parse.js';
import { PROJECT_ROOT } from '../../src/config.js';
import { startTestServer } from '../helpers/server.js';

// Unmodified copies of the public ISPDB files (MPL-2.0, see the NOTICE there), kept in the repository.
const ISPDB = join(PROJECT_ROOT, 'test', 'fixtures', 'ispdb');
const LEGACY_AUTH: Record<string, string> = { plain: 'password-cleartext', secure: 'password-encrypted' };

interface ServerFacts {
  type: string;
  hostname: string;
  port: string;
  socketType: string;
  username: string;
  auth: string[];
}

/** Host names compare in any case, but a placeholder in one (`mail.%EMAILDOMAIN%`) only works in its own case. */
function hostFacts(host: string): string {
  return host.split(/(%[A-Za-z]+%)/).map((part, i) => (i % 2 === 1 ? part : part.toLowerCase())).join('');
}

/** The facts a client reads from one emailProvider, normalized only where the importer documents a repair. */
function facts(provider: XmlElement) {
  const server = (el: XmlElement): ServerFacts => ({
    type: el.attrs.type ?? '',
    hostname: hostFacts(firstChild(el, 'hostname')?.text ?? ''),
    port: firstChild(el, 'port')?.text ?? '',
    socketType: firstChild(el, 'socketType')?.text ?? '',
    // Repaired on import: `%EMAILADDRESS` without its closing %.
    username: (firstChild(el, 'username')?.text ?? '').replace(/%EMAILADDRESS(?!%)/g, '%EMAILADDRESS%'),
    auth: [...new Set(childrenNamed(el, 'authentication').map((a) => LEGACY_AUTH[a.text] ?? a.text))],
  });
  const mailServers = [...childrenNamed(provider, 'incomingServer'), ...childrenNamed(provider, 'outgoingServer')].filter((el) =>
    ['imap', 'pop3', 'smtp'].includes(el.attrs.type ?? ''),
  );
  return {
    domains: [...new Set(childrenNamed(provider, 'domain').map((d) => d.text.toLowerCase()))].sort(),
    displayName: firstChild(provider, 'displayName')?.text,
    servers: mailServers.map(server),
    documentation: childrenNamed(provider, 'documentation').map((d) => d.attrs.url),
  };
}

const server = await startTestServer();
t.teardown(() => server.close());
const files = (await readdir(ISPDB)).filter((f) => f.endsWith('.xml'));

t.equal(files.length, 163, 'the ISPDB copy has 163 provider files');

t.test('every ISPDB provider is answered with the same facts at /v1.1/<domain>', async (t) => {
  for (const file of files) {
    const source = firstChild(parseXml(await readFile(join(ISPDB, file), 'utf8')), 'emailProvider')!;
    const expected = facts(source);
    const res = await fetch(`${server.url}/v1.1/${expected.domains[0]}`);
    t.equal(res.status, 200, `${file}: served`);
    const answered = facts(firstChild(parseXml(await res.text()), 'emailProvider')!);
    t.same(answered.domains, expected.domains, `${file}: domains`);
    t.same(answered.servers, expected.servers, `${file}: servers in source order`);
    t.equal(answered.displayName, expected.displayName, `${file}: display name`);
    // Documentation links the importer recovered from misnamed <instruction url> elements come on top.
    for (const url of expected.documentation) t.ok(answered.documentation.includes(url), `${file}: documentation ${url}`);
  }
});

t.test('every one of the 962 ISPDB domains is answered', async (t) => {
  const domains = new Set<string>();
  for (const file of files) {
    const provider = firstChild(parseXml(await readFile(join(ISPDB, file), 'utf8')), 'emailProvider')!;
    for (const d of childrenNamed(provider, 'domain')) domains.add(d.text.toLowerCase());
  }
  t.equal(domains.size, 962);
  const missing: string[] = [];
  for (const domain of domains) {
    if (!server.store.current().byDomain(domain)) missing.push(domain);
  }
  t.same(missing, [], 'no ISPDB domain is missing from the index');
});
