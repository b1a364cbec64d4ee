// A profile-signing PKI made with the openssl command line at test time: root CA -> intermediate -> signing
// certificates (RSA and EC), plus a key that belongs to none of them. Files live in a temp dir removed on teardown.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProfilePki {
  dir: string;
  /** Paths to PEM files. */
  caCert: string;
  intermediateCert: string;
  rsaCert: string;
  rsaKey: string;
  ecCert: string;
  ecKey: string;
  /** An RSA key that matches no certificate here. */
  strayKey: string;
  read(path: string): Promise<string>;
  /** `openssl smime -verify` against the root only; returns the embedded content, or throws with openssl's output. */
  verify(der: Buffer): Promise<Buffer>;
  remove(): Promise<void>;
}

const EXTENSIONS = `[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[signer]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=emailProtection,serverAuth
`;

export async function makeProfilePki(): Promise<ProfilePki> {
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-pki-'));
  const p = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await writeFile(p('ext.cnf'), EXTENSIONS);
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3', '-subj', '/CN=mailconfig test root',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const issue = async (name: string, subject: string, issuer: string, section: string, keyArgs: string[]) => {
    await openssl('req', '-new', ...keyArgs, '-out', `${name}.csr`, '-subj', subject);
    await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', 'ext.cnf', '-extensions', section);
  };
  await issue('intermediate', '/CN=mailconfig test intermediate', 'ca', 'ca', ['-newkey', 'rsa:2048', '-nodes', '-keyout', 'intermediate.key']);
  await issue('rsa', '/CN=profiles.test', 'intermediate', 'signer', ['-newkey', 'rsa:2048', '-nodes', '-keyout', 'rsa.key']);
  await openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec.key');
  await issue('ec', '/CN=ec-profiles.test', 'intermediate', 'signer', ['-key', 'ec.key']);
  await openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'stray.key');
  let count = 0;
  return {
    dir,
    caCert: p('ca.pem'),
    intermediateCert: p('intermediate.pem'),
    rsaCert: p('rsa.pem'),
    rsaKey: p('rsa.key'),
    ecCert: p('ec.pem'),
    ecKey: p('ec.key'),
    strayKey: p('stray.key'),
    read: (path) => readFile(path, 'utf8'),
    async verify(der) {
      const n = ++count;
      await writeFile(p(`signed-${n}.mobileconfig`), der);
      await openssl('smime', '-verify', '-inform', 'der', '-in', `signed-${n}.mobileconfig`, '-CAfile', 'ca.pem', '-out', `content-${n}`);
      return readFile(p(`content-${n}`));
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
