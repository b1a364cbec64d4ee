// HTTPS benchmarks, each a ratio measured side by side in one run: the service's HTTPS listener against a bare
// fastify server over the same TLS (HTTP/1.1 and HTTP/2), TLS handshakes per second with a cached certificate,
// and HTTP throughput with 2 workers against 1.
import autocannon from 'autocannon';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect as h2connect, type ClientHttp2Session } from 'node:http2';
import { createServer } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/config.js';

const SECONDS = Number(process.env.BENCH_HTTPS_SECONDS ?? 3);
const PATH = '/mail/config-v1.1.xml?emailaddress=someone@posteo.de';
const CACHED_NAME = 'autoconfig.cached.example';

/** HTTP/1.1 over TLS with autocannon (32 keep-alive connections). */
async function https1(port: number, ca: string): Promise<number> {
  const result = await autocannon({ url: `https://127.0.0.1:${port}${PATH}`, connections: 32, duration: SECONDS, servername: 'localhost', tlsOptions: { ca } } as autocannon.Options);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`https/1.1: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

/** HTTP/2: 4 sessions with 16 streams in flight each, for SECONDS; requests per second. */
async function h2(port: number, ca: string): Promise<number> {
  const sessions: ClientHttp2Session[] = [];
  for (let i = 0; i < 4; i++) {
    const session = h2connect(`https://127.0.0.1:${port}`, { ca, servername: 'localhost' });
    await once(session, 'connect');
    sessions.push(session);
  }
  const end = Date.now() + SECONDS * 1000;
  let done = 0;
  const loop = async (session: ClientHttp2Session) => {
    while (Date.now() < end) {
      await new Promise<void>((resolve, reject) => {
        const stream = session.request({ ':path': PATH });
        stream.on('response', (headers) => {
          if (headers[':status'] !== 200) reject(new Error(`h2: status ${headers[':status']}`));
        });
        stream.resume();
        stream.on('end', resolve);
        stream.on('error', reject);
      });
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(sessions.flatMap((session) => Array.from({ length: 16 }, () => loop(session))));
  const elapsed = (Date.now() - started) / 1000;
  for (const session of sessions) session.close();
  return done / elapsed;
}

/** Full TLS handshakes (no session reuse), 8 at a time, for SECONDS; handshakes per second. */
async function handshakes(port: number, ca: string, servername: string): Promise<number> {
  const end = Date.now() + SECONDS * 1000;
  let done = 0;
  const loop = async () => {
    while (Date.now() < end) {
      await new Promise<void>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: 8 }, loop));
  return done / ((Date.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** `mailconfig serve --workers N` on a free port; resolves when every worker listens. */
async function startWorkers(workers: number): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'mailconfig.js'), 'serve', '--workers', String(workers)], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', MAILCONFIG_DISCOVERY: 'off', MAILCONFIG_RATE_LIMIT: '999999999', MAILCONFIG_MAX_CONNECTIONS_PER_CLIENT: '100000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  let listening = 0;
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // The primary's own log lines ("worker N listening") are written whatever LOG_LEVEL says.
      if (/worker \d+ listening/.test(line) && ++listening === workers) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve --workers ${workers} exited with ${code}`)));
    if (workers === 1) {
      // A single process has no primary: wait for the port to answer.
      const poll = () => fetch(`http://127.0.0.1:${port}/healthz`).then(() => resolve(), () => setTimeout(poll, 100));
      void poll();
    }
  });
  return { child, port };
}

async function http1(port: number): Promise<number> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${PATH}`, connections: 64, duration: SECONDS });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`http: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

export async function benchHttps(): Promise<string[]> {
  const child = fork(fileURLToPath(new URL('./https-servers.js', import.meta.url)), { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  process.once('exit', () => child.kill());
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { service, bare, ca } = JSON.parse(line) as { service: number; bare: number; ca: string };
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const r = { h1: [] as number[], h1Bare: [] as number[], h2: [] as number[], h2Bare: [] as number[], hs: [] as number[], hsBare: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    r.h1Bare.push(await https1(bare, ca));
    r.h1.push(await https1(service, ca));
    r.h2Bare.push(await h2(bare, ca));
    r.h2.push(await h2(service, ca));
    r.hsBare.push(await handshakes(bare, ca, 'localhost'));
    r.hs.push(await handshakes(service, ca, CACHED_NAME));
  }
  child.send('stop');
  await once(child, 'exit');

  // Workers: one run each, back to back (a 2-core machine shares its cores with the load generator).
  const one = await startWorkers(1);
  const w1 = await http1(one.port);
  one.child.kill('SIGTERM');
  await once(one.child, 'exit');
  const two = await startWorkers(2);
  const w2 = await http1(two.port);
  two.child.kill('SIGTERM');
  await once(two.child, 'exit');

  const ratio = (a: number[], b: number[]) => (median(a) / median(b)).toFixed(2);
  const n = (values: number[]) => median(values).toFixed(0).padStart(6);
  return [
    `HTTPS, HTTP/1.1 (32 connections)      ${n(r.h1)} req/s vs bare fastify ${n(r.h1Bare)} req/s: ratio ${ratio(r.h1, r.h1Bare)}`,
    `HTTPS, HTTP/2 (4 sessions x 16 streams) ${n(r.h2)} req/s vs bare fastify ${n(r.h2Bare)} req/s: ratio ${ratio(r.h2, r.h2Bare)}`,
    `TLS handshakes, cached certificate    ${n(r.hs)} /s vs bare TLS server ${n(r.hsBare)} /s: ratio ${ratio(r.hs, r.hsBare)} (SNI lookup + ClientHello reader)`,
    `HTTP with 2 workers vs 1 (64 conn.)   ${w2.toFixed(0).padStart(6)} req/s vs ${w1.toFixed(0).padStart(6)} req/s: ratio ${(w2 / w1).toFixed(2)} (${SECONDS} s each; this machine has ${(await import('node:os')).availableParallelism()} cores shared with the load generator)`,
    `(median of ${rounds} rounds of ${SECONDS} s for the HTTPS lines; server in its own process, load generator in this one)`,
  ];
}
