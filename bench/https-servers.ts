// Child process of the HTTPS benchmark: the real service (HTTPS listener with its SNICallback, ClientHello reader
// and connection limits) and a bare fastify HTTP/2 server with the same certificate, answering the same bytes.
import Fastify from 'fastify';
import { createSecureContext } from 'node:tls';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/service.js';
import { makeTestPki } from '../test/helpers/certs.js';

const BENCH_PATH = '/mail/config-v1.1.xml?emailaddress=someone@posteo.de';
const CACHED_NAME = 'autoconfig.cached.example';

const pki = await makeTestPki(['localhost', CACHED_NAME]);
const dir = await mkdtemp(join(tmpdir(), 'mailconfig-bench-'));
await writeFile(join(dir, 'cert.pem'), pki.valid.cert);
await writeFile(join(dir, 'key.pem'), pki.valid.key);
const config = {
  ...loadConfig({
    MAILCONFIG_RATE_LIMIT: '999999999',
    MAILCONFIG_DISCOVERY: 'off',
    MAILCONFIG_HTTPS_PORT: '0',
    MAILCONFIG_TLS_CERT: join(dir, 'cert.pem'),
    MAILCONFIG_TLS_KEY: join(dir, 'key.pem'),
    MAILCONFIG_MAX_CONNECTIONS_PER_CLIENT: '100000',
  }),
  host: '127.0.0.1',
  port: 0,
};
// A certificate source holding one name, like the ACME store with a certificate in memory.
const cached = createSecureContext({ cert: pki.valid.cert, key: pki.valid.key });
const service = await startService(config, false, { tls: { sources: [{ contextFor: (name) => (name === CACHED_NAME ? cached : undefined) }] } });
const https = service.https!;

const answer = await https.inject({ method: 'GET', url: BENCH_PATH });
if (answer.statusCode !== 200) throw new Error(`the service answered ${answer.statusCode}`);
const bare = Fastify({ logger: false, http2: true, https: { allowHTTP1: true, key: pki.valid.key, cert: pki.valid.cert, minVersion: 'TLSv1.2' } });
const type = String(answer.headers['content-type']);
bare.get('/mail/config-v1.1.xml', async (_request, reply) => reply.type(type).send(answer.payload));
await bare.listen({ host: '127.0.0.1', port: 0 });

const port = (server: { address(): unknown }) => (server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ service: port(https.server), bare: port(bare.server), ca: pki.ca })}\n`);
process.on('message', (message) => {
  if (message === 'cpu') process.send?.(process.cpuUsage());
  else void Promise.all([service.shutdown(1000), bare.close()]).then(() => process.exit(0));
});
