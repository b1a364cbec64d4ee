import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { createProfileSigner, SigningSetupError } from '../../src/formats/profile-signing.js';
import { makeProfilePki } from '../helpers/profile-pki.js';

const pki = await makeProfilePki();
t.teardown(() => pki.remove());
const intermediate = await pki.read(pki.intermediateCert);
const rsaCert = await pki.read(pki.rsaCert);
const rsaKey = await pki.read(pki.rsaKey);
const ecCert = await pki.read(pki.ecCert);
const ecKey = await pki.read(pki.ecKey);
const strayKey = await pki.read(pki.strayKey);
const content = Buffer.from('<?xml version="1.0"?>\n<plist version="1.0"><string>b\u00fccher &amp; more</string></plist>\n');

t.test('RSA and EC signers produce DER CMS that openssl verifies against the root, content attached', async (t) => {
  for (const [name, cert, key] of [['RSA', rsaCert, rsaKey], ['EC', ecCert, ecKey]] as const) {
    const signer = createProfileSigner({ cert, key, chain: intermediate });
    t.same(signer.warnings, [], name);
    const der = await signer.sign(content);
    t.equal(der[0], 0x30, `${name}: DER SEQUENCE`);
    // Only the root is trusted: verification succeeds only because the intermediate travels in the signature.
    const embedded = await pki.verify(der);
    t.ok(embedded.equals(content), `${name}: the attached content is the input, byte for byte`);
  }
});

t.test('a fullchain cert file (leaf then intermediate) needs no separate chain', async (t) => {
  const signer = createProfileSigner({ cert: rsaCert + intermediate, key: rsaKey });
  t.same(signer.warnings, []);
  t.ok((await pki.verify(await signer.sign(content))).equals(content));
});

t.test('without the intermediate the signature does not verify against the root alone (and a warning says why)', async (t) => {
  const signer = createProfileSigner({ cert: rsaCert, key: rsaKey });
  t.match(signer.warnings.join('\n'), /MAILCONFIG_SIGN_CHAIN/);
  await t.rejects(pki.verify(await signer.sign(content)));
});

t.test('bad material names the setting at fault', async (t) => {
  const { privateKey: ed } = generateKeyPairSync('ed25519');
  const edPem = ed.export({ format: 'pem', type: 'pkcs8' }).toString();
  const cases: [Parameters<typeof createProfileSigner>[0], SigningSetupError['variable'], RegExp][] = [
    [{ cert: rsaCert, key: strayKey, chain: intermediate }, 'MAILCONFIG_SIGN_KEY', /does not belong/],
    [{ cert: rsaCert, key: ecKey }, 'MAILCONFIG_SIGN_KEY', /does not belong/],
    [{ cert: rsaCert, key: '-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n' }, 'MAILCONFIG_SIGN_KEY', /does not hold a private key/],
    [{ cert: rsaCert, key: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n' }, 'MAILCONFIG_SIGN_KEY', /encrypted/],
    [{ cert: rsaCert, key: edPem }, 'MAILCONFIG_SIGN_KEY', /ed25519 key; profile signing supports RSA and EC/],
    [{ cert: rsaKey, key: rsaKey }, 'MAILCONFIG_SIGN_CERT', /no PEM certificate/],
    [{ cert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', key: rsaKey }, 'MAILCONFIG_SIGN_CERT', /cannot be read/],
    [{ cert: rsaCert, key: rsaKey, chain: rsaKey }, 'MAILCONFIG_SIGN_CHAIN', /no PEM certificate/],
  ];
  for (const [material, variable, message] of cases) {
    t.throws(() => createProfileSigner(material), { name: 'SigningSetupError', variable, message }, `${variable} ${message}`);
  }
});

t.test('an expired or future certificate is a warning, not a failure', async (t) => {
  const future = createProfileSigner({ cert: rsaCert, key: rsaKey, chain: intermediate }, new Date(Date.now() + 30 * 86400_000));
  t.match(future.warnings.join('\n'), /expired/);
  const past = createProfileSigner({ cert: rsaCert, key: rsaKey, chain: intermediate }, new Date(Date.now() - 30 * 86400_000));
  t.match(past.warnings.join('\n'), /valid only from/);
});
