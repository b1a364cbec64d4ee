// Child process of the database benchmark (bench/database-scale.ts), run from a build of src/ so that its memory is
// the service's and not a TypeScript loader's. One job per process, named by the first argument; the answer is one
// JSON line on stdout.
//   load <dir>                 open the directory as the service does: load time and RSS after it
//   change <dir> <file>        open it, then rewrite one file and apply it the way the watcher does: time per change
//   serve <big dir> <small dir>   two services side by side (one per database) until stdin closes: their ports
//   rss-service <dir>          the whole service (startService) on a database, listening: RSS
//   rss-bare                   a bare fastify server with one route, listening: RSS
// Each job imports what it needs and nothing more: the bare server's RSS must not include the service's modules.
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const MiB = 2 ** 20;
const [job, ...args] = process.argv.slice(2);
const say = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const rss = () => process.memoryUsage().rss / MiB;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const config = async (dir: string) => ({ ...(await import('../src/config.js')).loadConfig({ MAILCONFIG_RATE_LIMIT: '999999999', MAILCONFIG_DISCOVERY: 'off', MAILCONFIG_PROVIDERS: dir }), host: '127.0.0.1', port: 0 });

async function serveDatabase(dir: string): Promise<number> {
  const { openProviderDatabase } = await import('../src/providers/database.js');
  const { StaticProviderStore } = await import('../src/providers/store.js');
  const { DatabaseResolver } = await import('../src/providers/resolver.js');
  const { buildServer } = await import('../src/http/server.js');
  const { index } = await openProviderDatabase(dir);
  const store = new StaticProviderStore(index);
  const app = await buildServer({ config: await config(dir), providers: store, resolver: new DatabaseResolver(store) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as { port: number }).port;
}

if (job === 'load') {
  const { openProviderDatabase } = await import('../src/providers/database.js');
  const started = performance.now();
  const { index } = await openProviderDatabase(args[0]!);
  say({ ms: performance.now() - started, rssMiB: rss(), providers: index.size, domains: index.domainCount });
} else if (job === 'change') {
  const { LiveProviderStore } = await import('../src/providers/store.js');
  const store = await LiveProviderStore.open(args[0]!);
  const file = args[1]!;
  const path = join(args[0]!, file);
  const original = await readFile(path, 'utf8');
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    // Alternate the port, so that every round is a real change of what is served.
    await writeFile(path, original.replace('<port>993</port>', `<port>${i % 2 === 0 ? 1993 : 993}</port>`));
    const started = performance.now();
    await store.reloadFile(file);
    times.push(performance.now() - started);
  }
  const port = store.current().ofFile(file)?.config.servers[0]?.port;
  say({ ms: median(times), servedPort: port, domains: store.current().domainCount });
} else if (job === 'serve') {
  const big = await serveDatabase(args[0]!);
  const small = await serveDatabase(args[1]!);
  say({ big, small });
  // Serves until the parent closes stdin.
  await once(process.stdin.resume(), 'end');
} else if (job === 'rss-service') {
  const { startService } = await import('../src/service.js');
  const { app } = await startService(await config(args[0]!), false);
  await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1.1/posteo.de`);
  say({ rssMiB: rss() });
  await app.close();
} else if (job === 'rss-bare') {
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.get('/', async () => 'ok');
  await app.listen({ host: '127.0.0.1', port: 0 });
  await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/`);
  say({ rssMiB: rss() });
  await app.close();
} else {
  throw new Error(`database-child: unknown job ${job}`);
}

process.exit(0);
