// `serve --workers N`: the primary forks N serving workers (node:cluster shares the listening sockets), restarts a
// worker that dies (with a growing pause if it keeps dying at start), relays certificate messages between workers
// (src/tls/types.ts ClusterMessage) and turns SIGTERM/SIGINT into a graceful shutdown of every worker.
import cluster, { type Worker } from 'node:cluster';
import type { ClusterMessage, ProcessRole } from '../tls/types.js';

/** The worker's slot (1..N) survives restarts: the replacement of slot 1 inherits certificate ordering. */
const SLOT_VARIABLE = 'MAILCONFIG_WORKER_SLOT';
const WORKERS_VARIABLE = 'MAILCONFIG_WORKER_COUNT';
/** Sent by the primary instead of a signal (a terminal's Ctrl-C reaches every worker too; that one is ignored). */
export const SHUTDOWN_MESSAGE = { kind: 'process:shutdown' } as const;
export const RELOAD_MESSAGE = { kind: 'process:reload' } as const;

/** A worker that dies sooner than this after its start is restarted after a pause (1 s, doubling, at most 30 s). */
const HEALTHY_AFTER_MS = 5_000;
const MAX_PAUSE_MS = 30_000;

type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** One JSON line per event, shaped like the workers' (pino) lines. */
export const primaryLog: Log = (level, msg, fields = {}) => {
  const levels = { info: 30, warn: 40, error: 50 };
  process.stdout.write(`${JSON.stringify({ level: levels[level], time: Date.now(), pid: process.pid, role: 'primary', ...fields, msg })}\n`);
};

/** In a worker: its role from the primary's environment; undefined when not a cluster worker. */
export function workerRole(): ProcessRole | undefined {
  if (!cluster.isWorker) return undefined;
  const worker = Number(process.env[SLOT_VARIABLE] ?? cluster.worker?.id ?? 1);
  const workers = Number(process.env[WORKERS_VARIABLE] ?? 1);
  return { worker, workers, ordersCertificates: worker === 1 };
}

interface Slot {
  worker?: Worker | undefined;
  startedAt: number;
  failures: number;
  timer?: NodeJS.Timeout | undefined;
}

/** Runs the primary until every worker has ended after a shutdown; resolves with the exit code. */
export function runPrimary(count: number, log: Log = primaryLog): Promise<number> {
  const slots = new Map<number, Slot>();
  let stopping = false;
  let exitCode = 0;

  const start = (slot: number) => {
    const state = slots.get(slot) ?? { startedAt: 0, failures: 0 };
    slots.set(slot, state);
    state.startedAt = Date.now();
    state.timer = undefined;
    const worker = cluster.fork({ [SLOT_VARIABLE]: String(slot), [WORKERS_VARIABLE]: String(count) });
    state.worker = worker;
    worker.on('message', (message: unknown) => relay(slot, message));
    worker.once('listening', () => log('info', `worker ${slot} listening`, { worker: slot, workerPid: worker.process.pid }));
  };

  const relay = (from: number, message: unknown) => {
    const m = message as Partial<ClusterMessage> | undefined;
    if (!m || typeof m !== 'object' || typeof m.servername !== 'string') return;
    if (m.kind === 'tls:missing') slots.get(1)?.worker?.send(m);
    else if (m.kind === 'tls:issued') for (const [slot, s] of slots) if (slot !== from) s.worker?.send(m);
  };

  return new Promise<number>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      const entry = [...slots].find(([, s]) => s.worker === worker);
      if (!entry) return;
      const [slot, state] = entry;
      state.worker = undefined;
      if (stopping) {
        if (code !== 0) exitCode = 1;
        if ([...slots.values()].every((s) => !s.worker)) resolve(exitCode);
        return;
      }
      const lived = Date.now() - state.startedAt;
      state.failures = lived < HEALTHY_AFTER_MS ? state.failures + 1 : 0;
      const pause = state.failures === 0 ? 0 : Math.min(MAX_PAUSE_MS, 1000 * 2 ** (state.failures - 1));
      log('warn', `worker ${slot} ended (${signal ?? `exit code ${code}`}); restarting${pause ? ` in ${pause / 1000} s` : ''}`, { worker: slot, code, signal, pause });
      state.timer = setTimeout(() => start(slot), pause);
    });

    let signals = 0;
    const stop = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        log('warn', `${signal} again: stopping the workers at once`, { signal });
        for (const s of slots.values()) s.worker?.process.kill('SIGKILL');
        process.exit(1);
      }
      stopping = true;
      log('info', 'shutting down the workers', { signal, workers: count });
      for (const s of slots.values()) {
        if (s.timer) clearTimeout(s.timer);
        s.timer = undefined;
        if (s.worker?.isConnected()) s.worker.send(SHUTDOWN_MESSAGE);
        else s.worker?.process.kill('SIGTERM');
      }
      if ([...slots.values()].every((s) => !s.worker)) resolve(exitCode);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('SIGHUP', () => {
      log('info', 'SIGHUP: the workers reload', { workers: count });
      for (const s of slots.values()) if (s.worker?.isConnected()) s.worker.send(RELOAD_MESSAGE);
    });

    log('info', `starting ${count} workers`, { workers: count });
    for (let slot = 1; slot <= count; slot++) start(slot);
  });
}
