// Child process of the benchmark: the real service and a bare fastify route, side by side in one process, so both
// get the same CPU while the load generator runs in the parent.
import Fastify from 'fastify';
import { loadConfig } from '../src/config.js';
import { openProviderDatabase } from '../src/providers/database.js';
import { DatabaseResolver, StaticProviderStore } from '../src/settings/resolver.js';
import { buildServer } from '../src/http/server.js';

const config = { ...loadConfig({}), host: '127.0.0.1', port: 0 };
const { index } = await openProviderDatabase(config.providersDir);
const store = new StaticProviderStore(index);
const service = await buildServer({ config, providers: store, resolver: new DatabaseResolver(store) });
await service.listen({ host: '127.0.0.1', port: 0 });

const bare = Fastify({ logger: false });
const fixed = '<?xml version="1.0" encoding="UTF-8"?><clientConfig version="1.1"/>\n';
bare.get('/fixed', async (_request, reply) => reply.type('application/xml').send(fixed));
await bare.listen({ host: '127.0.0.1', port: 0 });

const port = (app: { server: { address(): unknown } }) => (app.server.address() as { port: number }).port;
process.stdout.write(`${JSON.stringify({ service: port(service), bare: port(bare) })}\n`);
process.on('message', () => void Promise.all([service.close(), bare.close()]).then(() => process.exit(0)));
