// Let's Encrypt's test CA (Debian package `pebble`) on free loopback ports, with its own TLS certificate, validation
// lookups sent to a fake DNS server and http-01 / tls-alpn-01 validations sent to the ports under test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { makeTestPki } from './certs.js';

export const PEBBLE_BINARY = '/usr/bin/pebble';

/** One line for `t.skip` / tap's `skip` option when pebble is not installed, undefined when it is. */
export function pebbleMissing(): string | undefined {
  return existsSync(PEBBLE_BINARY) ? undefined : 'pebble is not installed (Debian package `pebble`)';
}

export interface PebbleOptions {
  /** host:port of the fake DNS server pebble asks during validation. */
  dnsServer: string;
  /** Where pebble connects for http-01 (the HTTP port under test). */
  httpPort: number;
  /** Where pebble connects for tls-alpn-01 (the HTTPS port under test). */
  tlsPort: number;
}

export interface Pebble {
  directoryUrl: string;
  /** The CA certificate that signed pebble's own TLS certificate: trust it to talk to the directory. */
  tlsCa: string;
  /** The root of the issuing chain (new at every start), from the management API. */
  root(): Promise<string>;
  /** Every line pebble printed so far. */
  log(): string[];
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const pki = await makeTestPki(['localhost', '127.0.0.1']);
  const dir = await mkdtemp(join(tmpdir(), 'mailconfig-pebble-'));
  await writeFile(join(dir, 'cert.pem'), pki.valid.cert);
  await writeFile(join(dir, 'key.pem'), pki.valid.key);
  const [acmePort, managementPort] = [await freePort(), await freePort()];
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${managementPort}`,
      certificate: join(dir, 'cert.pem'),
      privateKey: join(dir, 'key.pem'),
      httpPort: options.httpPort,
      tlsPort: options.tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
    },
  };
  await writeFile(join(dir, 'pebble-config.json'), JSON.stringify(config));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    PEBBLE_VA_NOSLEEP: '1',
    PEBBLE_VA_ALWAYS_VALID: '0',
    PEBBLE_WFE_NONCEREJECT: '0',
    // Every order validates again: a test that counts validations sees each one.
    PEBBLE_AUTHZREUSE: '0',
  };
  const child = spawn(PEBBLE_BINARY, ['-config', join(dir, 'pebble-config.json'), '-dnsserver', options.dnsServer], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // A test process that ends without its teardown (a timeout) must not leave pebble running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const lines: string[] = [];
  const ready = waitForReady(child, lines);
  try {
    await ready;
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const management = `https://127.0.0.1:${managementPort}`;
  return {
    directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
    tlsCa: pki.ca,
    root: () => getText(`${management}/roots/0`, pki.ca),
    log: () => [...lines],
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function waitForReady(child: ChildProcess, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        // The last line pebble prints once both listeners are up.
        if (line.includes('ACME directory available at')) resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`pebble exited (${code}) before it was ready:\n${lines.join('\n')}`)));
  });
}

function getText(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}
