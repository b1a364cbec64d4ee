import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (where `providers/` and `package.json` live), found from this file in src/ or dist/src/. */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return start;
    dir = up;
  }
  return dir;
}

export const BUNDLED_PROVIDERS = join(PROJECT_ROOT, 'providers');

/** Everything the service reads from its environment, checked once at start. */
export interface AppConfig {
  port: number;
  host: string;
  providersDir: string;
  /** Base URL without a trailing slash, or undefined to derive it from each request's Host. */
  publicUrl?: string;
  signing?: SigningFiles;
}

export interface SigningFiles {
  cert: string;
  key: string;
  chain?: string;
}

/** A configuration mistake; the message names the variable and is printed as one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): AppConfig {
  return {
    port: readPort(env, 'PORT', 8080),
    host: env.HOST?.trim() || '0.0.0.0',
    providersDir: readDirectory(env, 'MAILCONFIG_PROVIDERS', BUNDLED_PROVIDERS),
    publicUrl: readPublicUrl(env),
    signing: readSigning(env),
  };
}

export function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!/^[0-9]+$/.test(raw) || port > 65535) throw new ConfigError(`${name}=${raw} is not a port number (0-65535)`);
  return port;
}

function readDirectory(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const dir = resolve(raw);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`${name}=${raw} is not a directory`);
  return dir;
}

function readPublicUrl(env: Env): string | undefined {
  const raw = env.MAILCONFIG_PUBLIC_URL?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`MAILCONFIG_PUBLIC_URL=${raw} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`MAILCONFIG_PUBLIC_URL=${raw} must start with https:// or http://`);
  if (url.search || url.hash) throw new ConfigError(`MAILCONFIG_PUBLIC_URL=${raw} must not have a query or fragment`);
  return url.href.replace(/\/+$/, '');
}

function readSigning(env: Env): SigningFiles | undefined {
  const cert = env.MAILCONFIG_SIGN_CERT?.trim();
  const key = env.MAILCONFIG_SIGN_KEY?.trim();
  const chain = env.MAILCONFIG_SIGN_CHAIN?.trim();
  if (!cert && !key && !chain) return undefined;
  if (!cert) throw new ConfigError('MAILCONFIG_SIGN_CERT is not set but MAILCONFIG_SIGN_KEY or MAILCONFIG_SIGN_CHAIN is');
  if (!key) throw new ConfigError('MAILCONFIG_SIGN_KEY is not set but MAILCONFIG_SIGN_CERT is');
  return { cert: readPem(cert, 'MAILCONFIG_SIGN_CERT'), key: readPem(key, 'MAILCONFIG_SIGN_KEY'), chain: chain ? readPem(chain, 'MAILCONFIG_SIGN_CHAIN') : undefined };
}

/** Reads a PEM file now, so a wrong path stops the start instead of the first profile download. */
function readPem(path: string, name: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${name}=${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!text.includes('-----BEGIN ')) throw new ConfigError(`${name}=${path} is not a PEM file`);
  return text;
}
