// A fake HTTPS (or HTTP) server on a 127.x address that serves autoconfig files, redirects and oversized bodies,
// and records what was asked (path and Host header) so tests can see exactly which URLs discovery fetched.
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Pem } from './certs.js';

export type Route = string | { status: number; location?: string; body?: string; delayMs?: number; contentType?: string };

export interface FakeWebOptions {
  host: string;
  /** Without a certificate the server speaks plain HTTP. */
  pem?: Pem;
  /** Path (without query) -> the file's text, or a status (with a Location for redirects). Keyed by Host too: "host/path". */
  routes: Record<string, Route>;
  /** Milliseconds before every answer. */
  delayMs?: number;
}

export interface FakeWeb {
  host: string;
  port: number;
  /** `Host` header + path with query, of every request. */
  requests(): string[];
  /** Every POST: `Host` header + path, and the body as received. */
  posts(): { url: string; body: string }[];
  close(): Promise<void>;
}

export async function startFakeWeb(options: FakeWebOptions): Promise<FakeWeb> {
  if (!options.host.startsWith('127.')) throw new Error(`fake web server must bind to a 127.x.y.z address, not ${options.host}`);
  const seen: string[] = [];
  const posted: { url: string; body: string }[] = [];
  const sockets = new Set<Socket>();
  const handler = async (request: IncomingMessage, response: ServerResponse) => {
    const host = (request.headers.host ?? '').toLowerCase();
    const url = request.url ?? '/';
    seen.push(`${host}${url}`);
    if (request.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      posted.push({ url: `${host}${url}`, body: Buffer.concat(chunks).toString('utf8') });
    }
    const path = url.split('?')[0] ?? '/';
    const route = options.routes[`${host}${path}`] ?? options.routes[path];
    const answer = () => {
      if (route === undefined) return response.writeHead(404).end('not here');
      if (typeof route === 'string') return response.writeHead(200, { 'content-type': 'application/xml' }).end(route);
      const headers: Record<string, string> = { ...(route.location ? { location: route.location } : {}), ...(route.contentType ? { 'content-type': route.contentType } : {}) };
      setTimeout(() => response.writeHead(route.status, headers).end(route.body ?? ''), route.delayMs ?? 0);
    };
    if (options.delayMs) setTimeout(answer, options.delayMs);
    else answer();
  };
  const listener = (request: IncomingMessage, response: ServerResponse) => void handler(request, response).catch(() => response.destroy());
  const server = options.pem ? createHttpsServer({ key: options.pem.key, cert: options.pem.cert }, listener) : createHttpServer(listener);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen({ host: options.host, port: 0 });
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fake web server has no TCP address');
  return {
    host: options.host,
    port: address.port,
    requests: () => [...seen],
    posts: () => [...posted],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A small valid clientConfig file for tests. */
export function clientConfigXml(domain: string, servers: { type: 'imap' | 'pop3' | 'smtp'; host: string; port: number; socketType: 'SSL' | 'STARTTLS' | 'plain'; username?: string }[]): string {
  const server = (s: (typeof servers)[number]) => {
    const tag = s.type === 'smtp' ? 'outgoingServer' : 'incomingServer';
    return `    <${tag} type="${s.type}">
      <hostname>${s.host}</hostname>
      <port>${s.port}</port>
      <socketType>${s.socketType}</socketType>
      <username>${s.username ?? '%EMAILADDRESS%'}</username>
      <authentication>password-cleartext</authentication>
    </${tag}>`;
  };
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${domain}">
    <domain>${domain}</domain>
    <displayName>${domain} mail</displayName>
${servers.map(server).join('\n')}
  </emailProvider>
</clientConfig>
`;
}
