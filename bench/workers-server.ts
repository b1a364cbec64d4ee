// `--workers` for the benchmark: a node:cluster primary (src/process/cluster.ts, as `serve --workers N` runs it)
// whose workers each serve the real service with its production defaults on BENCH_SERVICE_PORT and the static
// template stand-in (stand-in.ts: what go-autoconfig does, not go-autoconfig itself) on BENCH_STANDIN_PORT. Both
// share the same processes and cores, so their ratio is measured under the same conditions.
// Started with `node --import tsx`; the workers inherit that.
import Fastify from 'fastify';
import { openSync } from 'node:fs';
import { logDestination } from '../src/http/log-destination.js';
import cluster from 'node:cluster';
import { loadConfig } from '../src/config.js';
import { runPrimary, workerRole } from '../src/process/cluster.js';
import { startService } from '../src/service.js';
import { THUNDERBIRD_PATH } from './formats.js';
import { registerStandIn } from './stand-in.js';

const workers = Number(process.env.BENCH_WORKERS ?? 2);
if (cluster.isPrimary) {
  process.exitCode = await runPrimary(workers);
} else {
  const env = { ...process.env, MAILCONFIG_RATE_LIMIT: '999999999', MAILCONFIG_DISCOVERY: 'off', MAILCONFIG_MAX_CONNECTIONS_PER_CLIENT: '100000' };
  const config = { ...loadConfig(env), host: '127.0.0.1', port: Number(process.env.BENCH_SERVICE_PORT) };
  const service = await startService(config, { level: config.logLevel, stream: logDestination(openSync('/dev/null', 'a')) }, { role: workerRole() });
  const answer = await service.app.inject({ method: 'GET', url: THUNDERBIRD_PATH });
  const standIn = Fastify({ logger: false });
  registerStandIn(standIn, answer.payload, 'alice@posteo.de');
  await standIn.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_STANDIN_PORT) });
  process.on('message', (message) => {
    if ((message as { kind?: string } | undefined)?.kind === 'process:shutdown') void Promise.all([service.shutdown(1000), standIn.close()]).then(() => process.exit(0));
  });
}
