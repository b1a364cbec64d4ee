import t from 'tap';
import { request } from 'node:http';
import type { ChallengeResponder } from '../../src/tls/types.js';
import { makeTestPki } from '../helpers/certs.js';
import { certFiles, startHttpsService } from '../helpers/https-service.js';
import { https1Get } from '../helpers/tls-client.js';

/** A plain HTTP request with a chosen Host header (fetch does not allow setting it). */
function get(port: number, path: string, host: string, method = 'GET'): Promise<{ status: number; location?: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const responder: ChallengeResponder = {
  http01: (token, host) => (token === 'tok-en_1' && host === 'autoconfig.example.org' ? 'tok-en_1.thumbprint' : undefined),
};

t.test('ACME http-01 challenges are answered on the HTTP port, also with the redirect on', async (t) => {
  for (const redirect of ['off', 'on']) {
    const { http } = await startHttpsService(t, { MAILCONFIG_HTTPS_REDIRECT: redirect }, { challenges: responder });
    const hit = await get(http, '/.well-known/acme-challenge/tok-en_1', 'autoconfig.example.org:80');
    t.equal(hit.status, 200, `redirect ${redirect}`);
    t.equal(hit.body, 'tok-en_1.thumbprint');
    t.equal((await get(http, '/.well-known/acme-challenge/unknown', 'autoconfig.example.org')).status, 404);
    t.equal((await get(http, '/.well-known/acme-challenge/tok-en_1', 'other.example.org')).status, 404, 'the responder sees the host');
  }
  const { http } = await startHttpsService(t, {});
  t.equal((await get(http, '/.well-known/acme-challenge/tok-en_1', 'autoconfig.example.org')).status, 404, 'no responder: 404');
});

t.test('MAILCONFIG_HTTPS_REDIRECT=on sends http to https, except challenges, health checks and Outlook', async (t) => {
  const { http, https } = await startHttpsService(t, { MAILCONFIG_HTTPS_REDIRECT: 'on' });
  const page = await get(http, '/v1.1/posteo.de?x=1', 'autoconfig.posteo.de');
  t.equal(page.status, 301);
  t.equal(page.location, `https://autoconfig.posteo.de:${https}/v1.1/posteo.de?x=1`, 'same host and path, the HTTPS port');
  const post = await get(http, '/autodiscover/autodiscover.xml', 'autodiscover.posteo.de', 'POST');
  t.equal(post.status, 308, 'a POST stays a POST');
  // MS-OXDSCLI HTTP redirect method: a GET of autodiscover.xml answers 302 to this service's https URL.
  const outlook = await get(http, '/autodiscover/autodiscover.xml', 'autodiscover.example.com');
  t.equal(outlook.status, 302);
  t.equal(outlook.location, `https://autodiscover.example.com:${https}/autodiscover/autodiscover.xml`);
  const health = await get(http, '/healthz', 'localhost');
  t.equal(health.status, 200, 'health checks stay on http');
  t.equal((await get(http, '/v1.1/posteo.de', 'bad host!')).status, 400, 'no usable Host: a 400 with the reason');
});

t.test('with an https MAILCONFIG_PUBLIC_URL, Outlook is sent to the service name and other redirects keep the host', async (t) => {
  const pki = await makeTestPki(['localhost']);
  const files = await certFiles(t, pki.valid.cert, pki.valid.key);
  const { http, https } = await startHttpsService(t, {
    MAILCONFIG_HTTPS_REDIRECT: 'on',
    MAILCONFIG_PUBLIC_URL: 'https://mailconfig.hoster.example',
    MAILCONFIG_TLS_CERT: files.cert,
    MAILCONFIG_TLS_KEY: files.key,
  });
  const outlook = await get(http, '/Autodiscover/Autodiscover.xml', 'autodiscover.customer.example');
  t.equal(outlook.status, 302);
  t.equal(outlook.location, 'https://mailconfig.hoster.example/autodiscover/autodiscover.xml');
  const page = await get(http, '/mail/config-v1.1.xml?emailaddress=x%40posteo.de', 'autoconfig.posteo.de');
  t.equal(page.location, 'https://autoconfig.posteo.de/mail/config-v1.1.xml?emailaddress=x%40posteo.de', 'port 443: left out');
  // And https itself answers, no loop.
  const direct = await https1Get(https, '/mail/config-v1.1.xml?emailaddress=x%40posteo.de', pki.ca);
  t.equal(direct.status, 200);
});

t.test('without the redirect, the HTTP port answers everything itself', async (t) => {
  const { http } = await startHttpsService(t, {});
  const page = await get(http, '/v1.1/posteo.de', 'autoconfig.posteo.de');
  t.equal(page.status, 200);
  const outlook = await get(http, '/autodiscover/autodiscover.xml?email=a@posteo.de', 'autodiscover.posteo.de');
  t.equal(outlook.status, 200);
});
