// Test certificates made with the openssl command line at test time: a trusted test CA and leaf certificates that
// are valid, expired, for the wrong name, or from a CA nobody trusts. Made once per process and per name list.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Pem {
  key: string;
  cert: string;
}

export interface TestPki {
  /** The test CA's certificate; trust it with ProbeOptions.ca or tls `ca`. */
  ca: string;
  /** Signed by `ca`, names = the requested names, valid now. */
  valid: Pem;
  /** Signed by `ca`, same names, validity ended in 2020. */
  expired: Pem;
  /** Signed by `ca`, valid now, but only for other.invalid. */
  wrongName: Pem;
  /** Same names, valid now, signed by a second CA that is not in `ca`. */
  unknownCa: Pem;
  /** Expired and from the untrusted CA: OpenSSL reports only one of the two problems; the prober must find both. */
  expiredUnknownCa: Pem;
}

const cache = new Map<string, Promise<TestPki>>();

export function makeTestPki(names: string[]): Promise<TestPki> {
  if (names.length === 0) throw new Error('makeTestPki needs at least one name');
  for (const name of names) {
    // The names go into an openssl config file: allow only host names and IP addresses.
    if (!/^[A-Za-z0-9*.:-]+$/.test(name)) throw new Error(`makeTestPki: "${name}" is not a host name or IP address`);
  }
  const key = names.join(',');
  let pki = cache.get(key);
  if (!pki) {
    pki = build(names);
    cache.set(key, pki);
    pki.catch(() => cache.delete(key));
  }
  return pki;
}

function altNames(names: string[]): string {
  return names.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
}

// A self-contained config, so the host's openssl.cnf cannot change what we make; `openssl ca` needs its database.
function config(dir: string, names: string[]): string {
  return `[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = ${altNames(names)}
authorityKeyIdentifier = keyid
[ wrong ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.invalid
authorityKeyIdentifier = keyid
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = ${dir}
database = ${dir}/index.txt
serial = ${dir}/serial
new_certs_dir = ${dir}
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
`;
}

async function build(names: string[]): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-pki-'));
  try {
    const cnf = join(dir, 'openssl.cnf');
    await writeFile(cnf, config(dir, names));
    await writeFile(join(dir, 'index.txt'), '');
    await writeFile(join(dir, 'serial'), '1000\n');
    const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
    const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

    const makeCa = async (name: string, cn: string) => {
      await openssl('req', '-config', cnf, '-x509', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-subj', `/CN=${cn}`, '-days', '3650', '-extensions', 'ca_ext');
    };
    const makeRequest = async (name: string, cn: string) => {
      await openssl('req', '-config', cnf, '-new', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    };
    const sign = async (name: string, ca: string, section: string, serial: number) => {
      await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', String(serial), '-days', '30', '-extfile', cnf, '-extensions', section, '-out', `${name}.crt`);
    };

    await Promise.all([makeCa('ca', 'mailconfig test CA'), makeCa('rogue', 'mailconfig untrusted test CA')]);
    const first = names[0] as string;
    await Promise.all(['valid', 'expired', 'wrong', 'unknown', 'expired-unknown'].map((name) => makeRequest(name, name === 'wrong' ? 'other.invalid' : first)));
    await Promise.all([sign('valid', 'ca', 'leaf', 1), sign('wrong', 'ca', 'wrong', 2), sign('unknown', 'rogue', 'leaf', 3)]);
    // `openssl x509` cannot set dates in the past; `openssl ca` can (-startdate/-enddate).
    const signExpired = (name: string, ca: string) => openssl('ca', '-config', cnf, '-batch', '-notext', '-cert', `${ca}.crt`, '-keyfile', `${ca}.key`,
      '-in', `${name}.csr`, '-out', `${name}.crt`, '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-extfile', cnf, '-extensions', 'leaf');
    // One at a time: both share the `openssl ca` database files.
    await signExpired('expired', 'ca');
    await signExpired('expired-unknown', 'rogue');

    const read = (file: string) => readFile(join(dir, file), 'utf8');
    const pem = async (name: string): Promise<Pem> => ({ key: await read(`${name}.key`), cert: await read(`${name}.crt`) });
    return { ca: await read('ca.crt'), valid: await pem('valid'), expired: await pem('expired'), wrongName: await pem('wrong'), unknownCa: await pem('unknown'), expiredUnknownCa: await pem('expired-unknown') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
