// Child process of the benchmark: the real service and bare fastify routes side by side in one process, so both get
// the same CPU while the load generator runs in the parent. Each bare route answers a fixed string: the very bytes
// the service answers for the same request, so the comparison measures the service's work, not response size.
//
// The service runs with its production defaults: info logging (pino JSON lines into /dev/null through the same
// destination the service uses for stdout, so every line is formatted, scrubbed and written), metrics on, the rate limiter
// on with a budget the load cannot exhaust. A second copy with logging off shows what the log lines cost.
import Fastify from 'fastify';
import { openSync } from 'node:fs';
import { logDestination } from '../src/http/log-destination.js';
import { loadConfig } from '../src/config.js';
import { openProviderDatabase } from '../src/providers/database.js';
import { DatabaseResolver } from '../src/providers/resolver.js';
import { StaticProviderStore } from '../src/providers/store.js';
import { buildServer } from '../src/http/server.js';
import { FORMATS, THUNDERBIRD_PATH } from './formats.js';
import { registerStandIn } from './stand-in.js';

const config = { ...loadConfig({ MAILCONFIG_RATE_LIMIT: '999999999' }), host: '127.0.0.1', port: 0 };
const { index } = await openProviderDatabase(config.providersDir);
const store = new StaticProviderStore(index);
const build = (logger: false | Record<string, unknown>) => buildServer({ config, providers: store, resolver: new DatabaseResolver(store) }, { logger });
// The destination the service uses for stdout (src/http/log-destination.ts), on /dev/null; BENCH_LOG=pino: pino's own
// destination instead, as the service had it before.
const sink = openSync(process.env.BENCH_LOG_FILE ?? '/dev/null', 'a');
const service = await build({ level: config.logLevel, ...(process.env.BENCH_LOG === 'pino' ? { file: process.env.BENCH_LOG_FILE ?? '/dev/null' } : { stream: logDestination(sink) }) });
const quiet = await build(false);
await service.listen({ host: '127.0.0.1', port: 0 });
await quiet.listen({ host: '127.0.0.1', port: 0 });

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
const thunderbird = await service.inject({ method: 'GET', url: THUNDERBIRD_PATH });
registerStandIn(bare, thunderbird.payload, 'alice@posteo.de');
await bare.listen({ host: '127.0.0.1', port: 0 });

const port = (app: { server: { address(): unknown } }) => (app.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ service: port(service), quiet: port(quiet), bare: port(bare) })}\n`);
// The parent asks for CPU time around each measurement: CPU per request is steadier than requests per second
// on a shared machine.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.(process.cpuUsage());
  else void Promise.all([service.close(), quiet.close(), bare.close()]).then(() => process.exit(0));
});
