// Where the service's log lines go: pino's own asynchronous destination (sonic-boom on a file descriptor, as pino
// builds for stdout by default), fed once per event-loop turn with every line of that turn joined, instead of once
// per line. Under load many answers finish in one turn: one write instead of dozens, and sonic-boom's per-write
// bookkeeping (it measures its whole pending buffer on each write) once. Lines still leave within the same turn, in
// order; at exit whatever is pending is written synchronously.
import { createRequire } from 'node:module';

interface Destination {
  write(data: string): unknown;
  flushSync(): void;
  /** Ended (pino ends its destination on beforeExit): nothing more can be written. */
  destroyed?: boolean;
}

// pino as fastify (the dependency) resolves it.
const require = createRequire(import.meta.url);
const pino = createRequire(require.resolve('fastify'))('pino') as { destination(options: { dest: number; sync: boolean; minLength: number }): Destination };

export interface LogDestination {
  write(line: string): void;
  flushSync(): void;
}

/** Lines written within one event-loop turn reach `target` as one write, at the end of the turn. */
export function batchedDestination(target: Destination): LogDestination {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.length === 1 ? pending[0]! : pending.join('');
    pending = [];
    if (!target.destroyed) target.write(text);
  };
  const destination: LogDestination = {
    write(line) {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flushSync() {
      flush();
      if (!target.destroyed) target.flushSync();
    },
  };
  process.once('exit', () => destination.flushSync());
  return destination;
}

/** The service's log destination: file descriptor `fd` (stdout by default), batched per event-loop turn. */
export function logDestination(fd = 1): LogDestination {
  return batchedDestination(pino.destination({ dest: fd, sync: false, minLength: 0 }));
}
