import t from 'tap';
import { once } from 'node:events';
import { writeFile, rename } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/service.js';
import type { ClientHello, TlsExtensions } from '../../src/tls/types.js';
import { makeTestPki } from '../helpers/certs.js';
import { certFiles, startHttpsService } from '../helpers/https-service.js';
import { fingerprintOf, h2Get, handshake, https1Get } from '../helpers/tls-client.js';

t.test('HTTPS answers over HTTP/2 and HTTP/1.1 with the default certificate; TLS 1.1 is refused', async (t) => {
  const pki = await makeTestPki(['localhost', '127.0.0.1']);
  const files = await certFiles(t, pki.valid.cert, pki.valid.key);
  const { https, http } = await startHttpsService(t, { MAILCONFIG_TLS_CERT: files.cert, MAILCONFIG_TLS_KEY: files.key });

  const h2 = await h2Get(https, '/v1.1/posteo.de', pki.ca);
  t.equal(h2.alpn, 'h2', 'ALPN chose HTTP/2');
  t.equal(h2.status, 200);
  t.match(h2.body, /posteo\.de/);

  const h1 = await https1Get(https, '/autodiscover/autodiscover.xml?email=someone@posteo.de', pki.ca);
  t.equal(h1.alpn, 'http/1.1');
  t.equal(h1.status, 200);
  t.match(h1.body, /<Server>posteo\.de<\/Server>/);

  const hello = await handshake({ port: https, servername: 'localhost', ca: pki.ca });
  t.equal(hello.fingerprint, fingerprintOf(pki.valid.cert), 'the default certificate');
  t.ok(hello.authorized, 'chains to the test CA');
  t.ok(hello.protocol === 'TLSv1.3' || hello.protocol === 'TLSv1.2');
  const v12 = await handshake({ port: https, servername: 'localhost', maxVersion: 'TLSv1.2' });
  t.equal(v12.protocol, 'TLSv1.2', 'TLS 1.2 is accepted');
  await t.rejects(handshake({ port: https, servername: 'localhost', maxVersion: 'TLSv1.1' }), /version|protocol/i, 'TLS 1.1 is refused');

  // The HTTP port keeps serving everything.
  const plain = await fetch(`http://127.0.0.1:${http}/v1.1/posteo.de`);
  t.equal(plain.status, 200);
  // One metrics registry for both listeners.
  const metrics = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
  t.match(metrics, /mailconfig_http_requests_total\{method="GET",route="\/v1\.1\/:domain",status="200"\} 2/);
});

t.test('sources are asked in order with the ALPN list; names without a certificate reach onMissing and get the default', async (t) => {
  const pki = await makeTestPki(['localhost']);
  const other = await makeTestPki(['issued.example.org']);
  const challenge = await makeTestPki(['challenge.example.org']);
  const files = await certFiles(t, pki.valid.cert, pki.valid.key);
  const issued = createSecureContext({ cert: other.valid.cert, key: other.valid.key });
  const challengeContext = createSecureContext({ cert: challenge.valid.cert, key: challenge.valid.key });
  const asked: ClientHello[] = [];
  const missing: string[] = [];
  const tls: TlsExtensions = {
    sources: [
      { contextFor: (name, hello) => (asked.push(hello), hello.alpnProtocols.includes('acme-tls/1') && name === 'issued.example.org' ? challengeContext : undefined) },
      { contextFor: (name) => (name === 'issued.example.org' ? issued : undefined) },
    ],
    onMissing: (hello) => missing.push(hello.servername),
  };
  const { https } = await startHttpsService(t, { MAILCONFIG_TLS_CERT: files.cert, MAILCONFIG_TLS_KEY: files.key }, tls);

  const normal = await handshake({ port: https, servername: 'Issued.Example.org.', alpn: ['h2', 'http/1.1'] });
  t.equal(normal.fingerprint, fingerprintOf(other.valid.cert), 'the second source had it');
  t.equal(normal.alpn, 'h2');
  t.same(asked.at(-1), { servername: 'issued.example.org', alpnProtocols: ['h2', 'http/1.1'] }, 'lower case, no trailing dot, ALPN list');

  const validation = await handshake({ port: https, servername: 'issued.example.org', alpn: ['acme-tls/1'] });
  t.equal(validation.fingerprint, fingerprintOf(challenge.valid.cert), 'the tls-alpn-01 source answers acme-tls/1 first');
  t.equal(validation.alpn, 'acme-tls/1', 'acme-tls/1 is negotiated');

  const unknown = await handshake({ port: https, servername: 'unknown.example.net' });
  t.equal(unknown.fingerprint, fingerprintOf(pki.valid.cert), 'the default certificate until one is issued');
  t.same(missing, ['unknown.example.net']);
  const noSni = await handshake({ port: https });
  t.equal(noSni.fingerprint, fingerprintOf(pki.valid.cert), 'no SNI: the default certificate');
});

t.test('without a default certificate, a name nobody has fails the handshake cleanly', async (t) => {
  const other = await makeTestPki(['issued.example.org']);
  const issued = createSecureContext({ cert: other.valid.cert, key: other.valid.key });
  const { https } = await startHttpsService(t, {}, { sources: [{ contextFor: (name) => (name === 'issued.example.org' ? issued : undefined) }] });
  const ok = await handshake({ port: https, servername: 'issued.example.org' });
  t.equal(ok.fingerprint, fingerprintOf(other.valid.cert));
  await t.rejects(handshake({ port: https, servername: 'unknown.example.net' }), /alert|handshake|socket|ECONNRESET/i, 'a TLS alert, not a hang');
  await t.rejects(handshake({ port: https }), /alert|handshake|socket|ECONNRESET/i);
});

t.test('the default certificate is reloaded when its files change; a bad new file keeps the old one', async (t) => {
  const first = await makeTestPki(['localhost']);
  const second = await makeTestPki(['localhost', 'second.test']);
  const files = await certFiles(t, first.valid.cert, first.valid.key);
  const { service, https } = await startHttpsService(t, { MAILCONFIG_TLS_CERT: files.cert, MAILCONFIG_TLS_KEY: files.key });
  const defaults = service.defaultCertificate!;
  t.equal((await handshake({ port: https, servername: 'localhost' })).fingerprint, fingerprintOf(first.valid.cert));

  // Replaced the way deployment tools do it: new files renamed over the old ones.
  const reloaded = once(defaults, 'reloaded');
  await writeFile(`${files.key}.new`, second.valid.key);
  await writeFile(`${files.cert}.new`, second.valid.cert);
  await rename(`${files.key}.new`, files.key);
  await rename(`${files.cert}.new`, files.cert);
  await reloaded;
  t.equal((await handshake({ port: https, servername: 'localhost' })).fingerprint, fingerprintOf(second.valid.cert), 'the new certificate, without a restart');
  t.equal((await handshake({ port: https })).fingerprint, fingerprintOf(second.valid.cert), 'also without SNI');

  // A key that does not belong to the certificate: refused, the second certificate keeps serving.
  const rejected = once(defaults, 'rejected');
  await writeFile(files.key, first.valid.key);
  const [error] = (await rejected) as [Error];
  t.match(error.message, /does not belong/);
  t.equal((await handshake({ port: https, servername: 'localhost' })).fingerprint, fingerprintOf(second.valid.cert), 'the old certificate still serves');

  // Garbage, then an expired certificate: each refused with its reason.
  const garbage = once(defaults, 'rejected');
  await writeFile(files.cert, 'not a certificate\n');
  t.match(((await garbage) as [Error])[0].message, /no PEM certificate/);
  const expired = once(defaults, 'rejected');
  await writeFile(files.key, first.expired.key);
  await writeFile(files.cert, first.expired.cert);
  t.match(((await expired) as [Error])[0].message, /expired/);
  t.equal((await handshake({ port: https, servername: 'localhost' })).fingerprint, fingerprintOf(second.valid.cert));

  // Fixed again: served.
  const fixed = once(defaults, 'reloaded');
  await writeFile(files.key, first.valid.key);
  await writeFile(files.cert, first.valid.cert);
  await fixed;
  t.equal((await handshake({ port: https, servername: 'localhost' })).fingerprint, fingerprintOf(first.valid.cert));
});

t.test('a bad certificate at start stops the start with the reason', async (t) => {
  const pki = await makeTestPki(['localhost']);
  const files = await certFiles(t, pki.valid.cert, pki.expired.key);
  const config = { ...loadConfig({ MAILCONFIG_DISCOVERY: 'off', MAILCONFIG_HTTPS_PORT: '0', MAILCONFIG_TLS_CERT: files.cert, MAILCONFIG_TLS_KEY: files.key }), host: '127.0.0.1', port: 0 };
  await t.rejects(startService(config, false), { name: 'CertificateError', message: /does not belong/ });
});
