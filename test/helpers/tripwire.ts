// A listener that only records who connected, on an address discovery must never reach. A test points a name at it
// (through fake DNS) and asserts connections() === 0 afterwards: refusing must happen before connecting.
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';

export interface Tripwire {
  host: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** "address:port" of each peer that connected, for a helpful failure message. */
  peers(): string[];
  close(): Promise<void>;
}

export async function startTripwire(host: string, port = 0): Promise<Tripwire> {
  if (!host.startsWith('127.')) throw new Error(`a tripwire must listen on a 127.x.y.z address, not ${host}`);
  const peers: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    peers.push(`${socket.remoteAddress}:${socket.remotePort}`);
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    // Say nothing: a prober that did connect should fail slowly rather than learn anything.
  });
  server.listen({ host, port });
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('tripwire has no TCP address');
  return {
    host,
    port: address.port,
    connections: () => peers.length,
    peers: () => [...peers],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
