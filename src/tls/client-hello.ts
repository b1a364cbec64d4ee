// Reads the ALPN protocols of each TLS ClientHello before the handshake starts, so certificate sources can tell an
// ACME tls-alpn-01 validation (ALPN `acme-tls/1`, RFC 8737) from a normal client: node's SNICallback gets only the
// name. Uses read-tls-client-hello (it peeks the first record and puts it back on the socket).
import type { Socket } from 'node:net';
import type { Server as TlsServer, SecureContext } from 'node:tls';
import { getExtensionData, readTlsClientHello } from 'read-tls-client-hello';
import { normalizeServername, type SniCallback } from './store.js';
import type { ClientHello } from './types.js';

const helloOf = new WeakMap<Socket, readonly string[]>();

/**
 * Makes `server` read each ClientHello's ALPN list before node's TLS setup sees the connection. Call before listen;
 * `extraConnectionListeners` (connection limits) still run first for every socket.
 */
export function readAlpnBeforeHandshake(server: TlsServer, timeoutMs: number): void {
  const tlsSetup = server.listeners('connection') as ((socket: Socket) => void)[];
  const start = tlsSetup.at(-1);
  if (!start) throw new Error('the TLS server has no connection listener');
  server.removeListener('connection', start);
  server.on('connection', (socket: Socket) => {
    if (socket.destroyed) return;
    // A client that never completes its hello is dropped like one that never completes its request headers.
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    readTlsClientHello(socket).then(
      (hello) => {
        const alpn = getExtensionData(hello, 'alpn') as { protocols?: unknown } | null | undefined;
        const protocols = Array.isArray(alpn?.protocols) ? alpn.protocols.filter((p): p is string => typeof p === 'string') : [];
        helloOf.set(socket, protocols);
      },
      () => undefined, // Not TLS or cut short: node's TLS setup fails it in the usual way.
    ).finally(() => {
      clearTimeout(timer);
      if (!socket.destroyed) start.call(server, socket);
    });
  });
}

/** The ClientHello for a TLS socket inside SNICallback (`this`): the name plus the ALPN list read earlier. */
function helloFor(tlsSocket: unknown, servername: string): ClientHello {
  const raw = (tlsSocket as { _parent?: Socket } | undefined)?._parent;
  return { servername, alpnProtocols: (raw && helloOf.get(raw)) ?? [] };
}

/**
 * An SNICallback for node's TLS servers. Names that are not host names get the default context (callback with
 * no context); node calls it with `this` = the TLS socket, whose raw socket carries the ALPN list.
 */
export function sniCallback(contextFor: (hello: ClientHello) => SecureContext | undefined, fallback: () => SecureContext | undefined): SniCallback {
  return function (this: unknown, servername, callback) {
    const name = normalizeServername(servername);
    const context = name ? contextFor(helloFor(this, name)) : fallback();
    callback(null, context);
  };
}
