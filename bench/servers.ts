// Child process of the benchmark: the real service and bare fastify routes side by side in one process, so both get
// the same CPU while the load generator runs in the parent. Each bare route answers a fixed string: the very bytes
// the service answers for the same request, so the comparison measures the service's work, not response size.
import Fastify from 'fastify';
import { loadConfig } from '../src/config.js';
import { openProviderDatabase } from '../src/providers/database.js';
import { DatabaseResolver } from '../src/providers/resolver.js';
import { StaticProviderStore } from '../src/providers/store.js';
import { buildServer } from '../src/http/server.js';
import { FORMATS } from './formats.js';

// The rate limiter stays on (its cost is part of every answer) with a budget the load cannot exhaust.
const config = { ...loadConfig({ MAILCONFIG_RATE_LIMIT: '999999999' }), host: '127.0.0.1', port: 0 };
const { index } = await openProviderDatabase(config.providersDir);
const store = new StaticProviderStore(index);
const service = await buildServer({ config, providers: store, resolver: new DatabaseResolver(store) });
await service.listen({ host: '127.0.0.1', port: 0 });

const bare = Fastify({ logger: false });
// Bodies are taken as strings and ignored, like any route that does not look at them.
bare.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
for (const [i, format] of FORMATS.entries()) {
  const answer = await service.inject({ method: format.method, url: format.path, ...(format.body === undefined ? {} : { payload: format.body }), headers: format.contentType ? { 'content-type': format.contentType } : {} });
  if (answer.statusCode !== 200) throw new Error(`${format.name}: the service answered ${answer.statusCode}`);
  const fixed = answer.payload;
  const type = String(answer.headers['content-type']);
  bare.route({ method: format.method, url: `/fixed/${i}`, handler: async (_request, reply) => reply.type(type).send(fixed) });
}
await bare.listen({ host: '127.0.0.1', port: 0 });

const port = (app: { server: { address(): unknown } }) => (app.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ service: port(service), bare: port(bare) })}\n`);
// The parent asks for CPU time around each measurement: CPU per request is steadier than requests per second
// on a shared machine.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.(process.cpuUsage());
  else void Promise.all([service.close(), bare.close()]).then(() => process.exit(0));
});
