import { accessSync, constants as fsConstants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { parseDnsServer, type DnsServer } from './discovery/dns.js';
import { NetworkGuardError, parseAllowNetworks } from './discovery/network-guard.js';
import { SigningSetupError, createProfileSigner, type ProfileSigner, type SigningMaterial } from './formats/profile-signing.js';
import { MailconfigError } from './settings/errors.js';
import { AcmeConfigError, readAcmeConfig, type AcmeConfig } from './acme/config.js';

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
  /** The address to listen on: an IP address or `localhost` (HOST). */
  host: string;
  /** pino level (LOG_LEVEL). */
  logLevel: LogLevel;
  providersDir: string;
  /** Base URL without a trailing slash, or undefined to derive it from each request's Host. */
  publicUrl?: string | undefined;
  signing?: SigningFiles | undefined;
  /** Live discovery for domains not in the provider database (MAILCONFIG_DISCOVERY and friends). */
  discovery: DiscoveryConfig;
  /** Admin API tokens (MAILCONFIG_ADMIN_TOKEN / MAILCONFIG_ADMIN_TOKEN_FILE); the API is off when undefined. */
  admin?: AdminConfig | undefined;
  /** Requests per minute per client address; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Fastify's trustProxy: false, true, or the proxies' addresses (for client IPs behind a load balancer). */
  trustProxy: boolean | string;
  /** Branding of the setup pages (MAILCONFIG_BRAND_NAME, _LOGO, _COLOR). */
  brand: BrandConfig;
  /** HTTPS listener, redirect, connection limits, shutdown and workers (src/listeners/, src/process/). */
  listeners: ListenerConfig;
  /** Certificates on demand (MAILCONFIG_ACME_DIRECTORY and friends, src/acme/); off when undefined. */
  acme?: AcmeConfig | undefined;
  /** Requests per minute per client that start a live discovery (MAILCONFIG_DISCOVERY_RATE_LIMIT); 0 turns it off. */
  discoveryRateLimitPerMinute: number;
  /** Key for the keyed hash of local parts in the access log (MAILCONFIG_LOG_KEY); none: no hash is logged. */
  logKey?: string | undefined;
  /**
   * This service's own host names (MAILCONFIG_HOSTNAMES, comma list; default the host of MAILCONFIG_PUBLIC_URL):
   * where customers' autoconfig/autodiscover/ua-auto-config names must point (the domain check compares with them), and a
   * Host the service may link to.
   */
  hostnames: string[];
  /** Extra IP addresses the service answers on (MAILCONFIG_SERVICE_ADDRESSES, comma list), for A/AAAA instead of CNAME. */
  serviceAddresses: string[];
  /** MAILCONFIG_REDIS_URL: state shared by several instances (src/redis/); unset: each keeps its own. */
  redisUrl?: string | undefined;
}

export interface BrandConfig {
  name?: string | undefined;
  /** Logo URL, http(s) only. */
  logo?: string | undefined;
  /** Accent colour as `#rrggbb`. */
  color?: string | undefined;
  /** The hoster's legal pages and support (MAILCONFIG_BRAND_IMPRINT_URL, _PRIVACY_URL, _SUPPORT_URL, _SUPPORT_EMAIL). */
  imprintUrl?: string | undefined;
  privacyUrl?: string | undefined;
  supportUrl?: string | undefined;
  supportEmail?: string | undefined;
  /** MAILCONFIG_BRAND_DOMAINS: the hoster's own mail domains (comma-separated), whose settings "come from {brand}". */
  domains: string[];
}

export interface SigningFiles extends SigningMaterial {
  /** The file each part was read from, so a key that does not fit can be reported by path. */
  paths: Partial<Record<SigningSetupError['variable'], string>>;
}

/** A configuration mistake; the message names the variable and is printed as one line. */
export class ConfigError extends MailconfigError {
  constructor(message: string, options?: ErrorOptions) {
    super('MAILCONFIG_CONFIG_INVALID', message, options);
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): AppConfig {
  return {
    port: readPort(env, 'PORT', 8080),
    host: readHost(env),
    logLevel: readLogLevel(env),
    providersDir: readDirectory(env, 'MAILCONFIG_PROVIDERS', BUNDLED_PROVIDERS),
    publicUrl: readPublicUrl(env),
    signing: readSigning(env),
    discovery: readDiscovery(env),
    admin: readAdminTokens(env),
    rateLimitPerMinute: readCount(env, 'MAILCONFIG_RATE_LIMIT', 600),
    trustProxy: readTrustProxy(env),
    brand: readBrand(env),
    listeners: readListeners(env),
    acme: readAcme(env),
    hostnames: readHostnames(env),
    discoveryRateLimitPerMinute: readCount(env, 'MAILCONFIG_DISCOVERY_RATE_LIMIT', 60),
    logKey: readLogKey(env),
    serviceAddresses: readServiceAddresses(env),
    redisUrl: readRedisUrl(env),
  };
}

/** redis://[user:password@]host[:port][/db] or rediss:// (TLS); the password never appears in an error. */
function readRedisUrl(env: Env): string | undefined {
  const raw = env.MAILCONFIG_REDIS_URL?.trim();
  if (!raw) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
    throw new ConfigError('MAILCONFIG_REDIS_URL must look like redis://host:6379 (or rediss:// for TLS, redis://:password@host:6379/0)');
  }
  return raw;
}

function readAcme(env: Env): AcmeConfig | undefined {
  let acme: AcmeConfig | undefined;
  try {
    acme = readAcmeConfig(env, readPublicUrl(env));
  } catch (error) {
    if (error instanceof AcmeConfigError) throw new ConfigError(error.message);
    throw error;
  }
  if (acme && !env.MAILCONFIG_HTTPS_PORT?.trim()) throw new ConfigError('MAILCONFIG_ACME_DIRECTORY is set but MAILCONFIG_HTTPS_PORT is not (no HTTPS listener would serve the certificates)');
  return acme;
}

/** Host names as a person writes them (a trailing dot or upper case is fine); no ports, schemes or wildcards. */
function readHostnames(env: Env): string[] {
  const raw = env.MAILCONFIG_HOSTNAMES?.trim();
  if (!raw) {
    const publicUrl = readPublicUrl(env);
    return publicUrl ? [new URL(publicUrl).hostname.toLowerCase()] : [];
  }
  return raw.split(',').map((entry) => {
    const name = entry.trim().toLowerCase().replace(/\.$/, '');
    const labels = name.split('.');
    const isName = name.length <= 253 && labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l));
    if (!isName && !isIpAddress(name)) {
      throw new ConfigError(`MAILCONFIG_HOSTNAMES: "${entry.trim()}" is not a host name (give names like mail.example.net, comma-separated, without scheme or port)`);
    }
    return name;
  });
}

/** At least 16 characters: a short key makes the hash of a local part easy to reverse by trying names. */
function readLogKey(env: Env): string | undefined {
  const raw = env.MAILCONFIG_LOG_KEY?.trim();
  if (!raw) return undefined;
  if (raw.length < 16) throw new ConfigError('MAILCONFIG_LOG_KEY is shorter than 16 characters (use a random value, e.g. openssl rand -hex 32)');
  return raw;
}

function readServiceAddresses(env: Env): string[] {
  const raw = env.MAILCONFIG_SERVICE_ADDRESSES?.trim();
  if (!raw) return [];
  return raw.split(',').map((part) => {
    const text = part.trim();
    if (!ipaddr.isValid(text)) throw new ConfigError(`MAILCONFIG_SERVICE_ADDRESSES: "${text}" is not an IP address`);
    return ipaddr.parse(text).toString();
  });
}

export function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!/^[0-9]+$/.test(raw) || port > 65535) throw new ConfigError(`${name}=${raw} is not a port number (0-65535)`);
  return port;
}

export function readCount(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^[0-9]{1,9}$/.test(raw)) throw new ConfigError(`${name}=${raw} is not a whole number`);
  return Number(raw);
}

/** An IPv4 address in four decimal parts, or an IPv6 address (no zone): what a person means, not 0x7f.1 or 1.2.3. */
function isIpAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || (ipaddr.IPv6.isValid(text) && !text.includes('%'));
}

function readTrustProxy(env: Env): boolean | string {
  const raw = env.MAILCONFIG_TRUST_PROXY?.trim();
  if (!raw || raw === 'off' || raw === 'false') return false;
  if (raw === 'on' || raw === 'true') return true;
  const entries = raw.split(',').map((entry) => entry.trim());
  // Checked here: fastify would otherwise throw from deep inside proxy-addr, with a stack, when the app is built.
  const bad = entries.find((entry) => !(isIpAddress(entry) || ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) || (ipaddr.IPv6.isValidCIDR(entry) && !entry.includes('%'))));
  if (bad !== undefined) {
    const what = bad === '' ? 'an empty entry' : `"${bad}" is not an IP address or CIDR`;
    throw new ConfigError(`MAILCONFIG_TRUST_PROXY=${raw}: ${what}; give on, off, or a comma-separated list of proxy addresses/CIDRs (examples: 127.0.0.1, 2001:db8::/32)`);
  }
  return entries.join(',');
}

/** No host names: resolving one would ask DNS at start, and a name with several addresses listens on only one. */
function readHost(env: Env): string {
  const raw = env.HOST?.trim();
  if (!raw) return '0.0.0.0';
  if (raw === 'localhost' || isIpAddress(raw)) return raw;
  throw new ConfigError(`HOST=${raw} is not an IP address to listen on (examples: 0.0.0.0 for all IPv4, :: for all, 127.0.0.1, or localhost)`);
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function readLogLevel(env: Env): LogLevel {
  const raw = env.LOG_LEVEL?.trim();
  if (!raw) return 'info';
  const level = LOG_LEVELS.find((l) => l === raw.toLowerCase());
  if (!level) throw new ConfigError(`LOG_LEVEL=${raw} is not a log level (${LOG_LEVELS.join(', ')})`);
  return level;
}

function readDirectory(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const dir = resolve(raw);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`${name}=${raw} is not a directory`);
  try {
    accessSync(dir, fsConstants.R_OK | fsConstants.X_OK);
  } catch (error) {
    throw new ConfigError(`${name}=${raw} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  return dir;
}

/** An http(s) URL from the environment (with the value as given, for messages); undefined when not set. */
function readHttpUrl(env: Env, name: string): { raw: string; url: URL } | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name}=${raw} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${name}=${raw} must start with https:// or http://`);
  return { raw, url };
}

function readPublicUrl(env: Env): string | undefined {
  const given = readHttpUrl(env, 'MAILCONFIG_PUBLIC_URL');
  if (!given) return undefined;
  const { raw, url } = given;
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
  return {
    cert: readPem(cert, 'MAILCONFIG_SIGN_CERT'),
    key: readPem(key, 'MAILCONFIG_SIGN_KEY'),
    chain: chain ? readPem(chain, 'MAILCONFIG_SIGN_CHAIN') : undefined,
    paths: { MAILCONFIG_SIGN_CERT: cert, MAILCONFIG_SIGN_KEY: key, ...(chain ? { MAILCONFIG_SIGN_CHAIN: chain } : {}) },
  };
}

/**
 * Builds the profile signer, once, at start (it goes to the routes in ServiceDeps): key and certificates are parsed
 * and matched now, so a key that does not fit stops the start with a ConfigError naming the variable and file.
 */
export function createSignerFromConfig(config: Pick<AppConfig, 'signing'>): ProfileSigner | undefined {
  if (!config.signing) return undefined;
  try {
    return createProfileSigner(config.signing);
  } catch (error) {
    if (!(error instanceof SigningSetupError)) throw error;
    throw new ConfigError(`${error.variable}=${config.signing.paths[error.variable] ?? ''} ${error.message}`, { cause: error });
  }
}

/** Reads a PEM file now, so a wrong path stops the start instead of the first profile download. */
function readPem(path: string, name: string): string {
  const text = readTextFile(path, name);
  if (!text.includes('-----BEGIN ')) throw new ConfigError(`${name}=${path} is not a PEM file`);
  return text;
}

/** A file named by a variable, read now; a ConfigError naming the variable when it cannot be. */
function readTextFile(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${name}=${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

export interface AdminToken {
  /** Who holds the token: logged with every change. */
  name: string;
  token: string;
}

export interface AdminConfig {
  tokens: AdminToken[];
}

/** Shorter tokens are guessable; 16 characters is the floor, a random 32+ is what the README suggests. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** Reads the admin tokens; never echoes a token into an error message. */
function readAdminTokens(env: Env): AdminConfig | undefined {
  const tokens: AdminToken[] = [];
  const single = env.MAILCONFIG_ADMIN_TOKEN?.trim();
  if (single) tokens.push(checkToken({ name: 'admin', token: single }, 'MAILCONFIG_ADMIN_TOKEN'));
  const path = env.MAILCONFIG_ADMIN_TOKEN_FILE?.trim();
  if (path) tokens.push(...readTokenFile(path));
  if (tokens.length === 0) return undefined;
  const names = new Set<string>();
  const values = new Set<string>();
  for (const { name, token } of tokens) {
    if (names.has(name)) throw new ConfigError(`MAILCONFIG_ADMIN_TOKEN_FILE=${path} names "${name}" twice${single ? ' (the name of MAILCONFIG_ADMIN_TOKEN is "admin")' : ''}`);
    if (values.has(token)) throw new ConfigError(`MAILCONFIG_ADMIN_TOKEN_FILE=${path} gives "${name}" a token already used by another name`);
    names.add(name);
    values.add(token);
  }
  return { tokens };
}

/** One `name:token` per line; blank lines and lines starting with # are ignored. */
function readTokenFile(path: string): AdminToken[] {
  const variable = 'MAILCONFIG_ADMIN_TOKEN_FILE';
  const text = readTextFile(path, variable);
  const tokens: AdminToken[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    if (colon < 0 || !/^[A-Za-z0-9._@-]{1,64}$/.test(name)) throw new ConfigError(`${variable}=${path} line ${i + 1}: expected name:token (name of letters, digits, . _ @ -)`);
    tokens.push(checkToken({ name, token: line.slice(colon + 1).trim() }, `${variable}=${path} line ${i + 1}`));
  });
  if (tokens.length === 0) throw new ConfigError(`${variable}=${path} holds no name:token line`);
  return tokens;
}

function checkToken(entry: AdminToken, where: string): AdminToken {
  if (entry.token.length < MIN_ADMIN_TOKEN_LENGTH) throw new ConfigError(`${where}: the token is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  if (/\s/.test(entry.token)) throw new ConfigError(`${where}: the token contains white space`);
  return entry;
}

function readBrand(env: Env): BrandConfig {
  const name = env.MAILCONFIG_BRAND_NAME?.trim() || undefined;
  if (name && name.length > 100) throw new ConfigError('MAILCONFIG_BRAND_NAME is longer than 100 characters');
  const supportEmail = env.MAILCONFIG_BRAND_SUPPORT_EMAIL?.trim() || undefined;
  if (supportEmail && !/^[^\s@<>"]{1,64}@[^\s@<>"]{1,253}$/.test(supportEmail)) {
    throw new ConfigError(`MAILCONFIG_BRAND_SUPPORT_EMAIL=${supportEmail} is not an e-mail address`);
  }
  const domains = (env.MAILCONFIG_BRAND_DOMAINS ?? '')
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter((d) => d !== '');
  for (const domain of domains) {
    if (!/^[a-z0-9.-]+\.[a-z0-9-]+$/.test(domain)) throw new ConfigError(`MAILCONFIG_BRAND_DOMAINS: ${domain} is not a domain name (use the ASCII form)`);
  }
  return {
    name,
    logo: readBrandLogo(env),
    color: readBrandColor(env),
    imprintUrl: readHttpUrl(env, 'MAILCONFIG_BRAND_IMPRINT_URL')?.url.href,
    privacyUrl: readHttpUrl(env, 'MAILCONFIG_BRAND_PRIVACY_URL')?.url.href,
    supportUrl: readHttpUrl(env, 'MAILCONFIG_BRAND_SUPPORT_URL')?.url.href,
    supportEmail,
    domains,
  };
}

function readBrandLogo(env: Env): string | undefined {
  return readHttpUrl(env, 'MAILCONFIG_BRAND_LOGO')?.url.href;
}

function readBrandColor(env: Env): string | undefined {
  const raw = env.MAILCONFIG_BRAND_COLOR?.trim();
  if (!raw) return undefined;
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(raw);
  if (!m?.[1]) throw new ConfigError(`MAILCONFIG_BRAND_COLOR=${raw} is not a hex colour like #1c5d99`);
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return `#${hex.toLowerCase()}`;
}

export interface DiscoveryConfig {
  /** MAILCONFIG_DISCOVERY=off answers from the provider database only. */
  enabled: boolean;
  /**
   * MAILCONFIG_DISCOVERY=on (`full`): every discovery step. `mx`: the provider database plus MX lookups only (a
   * hoster's customer domains match through `purpose="mx"`); nothing is fetched from or probed on anyone's servers.
   */
  mode: 'full' | 'mx';
  /** MAILCONFIG_DNS; undefined = the system's nameservers. */
  dnsServers?: DnsServer[] | undefined;
  /** MAILCONFIG_ALLOW_NETWORKS: CIDRs discovery may connect to although they are not global unicast. */
  allowNetworks: string[];
  /** MAILCONFIG_LOOKUP_TIMEOUT (seconds) as milliseconds. */
  lookupTimeoutMs: number;
  /** MAILCONFIG_AUTOCONFIG_HTTP=on also fetches http://autoconfig.D/ when https gives nothing. */
  autoconfigHttp: boolean;
}

/** MAILCONFIG_ALLOW_NETWORKS through the guard's own parser; its error becomes a ConfigError naming the variable. */
function readAllowNetworks(env: Env): string[] {
  try {
    return parseAllowNetworks(env.MAILCONFIG_ALLOW_NETWORKS);
  } catch (error) {
    if (!(error instanceof NetworkGuardError)) throw error;
    throw new ConfigError(`MAILCONFIG_ALLOW_NETWORKS: ${error.message}`, { cause: error });
  }
}

function readDiscovery(env: Env): DiscoveryConfig {
  return {
    ...readDiscoveryMode(env),
    dnsServers: readDnsServers(env),
    allowNetworks: readAllowNetworks(env),
    lookupTimeoutMs: readSeconds(env, 'MAILCONFIG_LOOKUP_TIMEOUT', 8) * 1000,
    autoconfigHttp: readSwitch(env, 'MAILCONFIG_AUTOCONFIG_HTTP', false),
  };
}

function readDiscoveryMode(env: Env): Pick<DiscoveryConfig, 'enabled' | 'mode'> {
  if (env.MAILCONFIG_DISCOVERY?.trim().toLowerCase() === 'mx') return { enabled: true, mode: 'mx' };
  try {
    return { enabled: readSwitch(env, 'MAILCONFIG_DISCOVERY', true), mode: 'full' };
  } catch {
    throw new ConfigError('MAILCONFIG_DISCOVERY must be on (full discovery), mx (database and MX lookups only) or off (database only)');
  }
}

function readSwitch(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['on', 'true', 'yes', '1'].includes(raw)) return true;
  if (['off', 'false', 'no', '0'].includes(raw)) return false;
  throw new ConfigError(`${name}=${env[name]} must be on or off`);
}

function readSeconds(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const seconds = Number(raw);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(raw) || seconds < 0.1 || seconds > 120) throw new ConfigError(`${name}=${raw} must be a number of seconds from 0.1 to 120`);
  return seconds;
}

function readDnsServers(env: Env): DnsServer[] | undefined {
  const raw = env.MAILCONFIG_DNS?.trim();
  if (!raw) return undefined;
  return raw.split(',').map((entry) => {
    const server = parseDnsServer(entry);
    if (!server) throw new ConfigError(`MAILCONFIG_DNS: "${entry.trim()}" is not ip[:port] (examples: 127.0.0.53, 192.0.2.1:5353, [2001:db8::1]:53)`);
    return server;
  });
}

export interface ListenerConfig {
  /** MAILCONFIG_HTTPS_PORT; undefined = no HTTPS listener. */
  httpsPort?: number | undefined;
  /** MAILCONFIG_TLS_CERT / MAILCONFIG_TLS_KEY: the default certificate (PEM, chain in the cert file). */
  tlsFiles?: { cert: string; key: string } | undefined;
  /** MAILCONFIG_HTTPS_REDIRECT=on: the HTTP port redirects to https (except ACME challenges and Outlook's redirect method). */
  httpsRedirect: boolean;
  /** MAILCONFIG_SHUTDOWN_TIMEOUT (seconds) as ms: how long requests in flight may take to finish on SIGTERM. */
  shutdownTimeoutMs: number;
  /** MAILCONFIG_MAX_CONNECTIONS: open connections per process and listener. */
  maxConnections: number;
  /** MAILCONFIG_MAX_CONNECTIONS_PER_CLIENT: open connections from one client address. */
  maxConnectionsPerClient: number;
  /** MAILCONFIG_WORKERS: serving processes (node:cluster); `auto` is resolved to the number of cores. */
  workers: number | 'auto';
}

function readListeners(env: Env): ListenerConfig {
  const httpsPort = env.MAILCONFIG_HTTPS_PORT?.trim() ? readPort(env, 'MAILCONFIG_HTTPS_PORT', 0) : undefined;
  if (httpsPort && httpsPort === readPort(env, 'PORT', 8080)) throw new ConfigError(`MAILCONFIG_HTTPS_PORT=${httpsPort} is the HTTP port (PORT) as well`);
  const cert = env.MAILCONFIG_TLS_CERT?.trim();
  const key = env.MAILCONFIG_TLS_KEY?.trim();
  if (cert && !key) throw new ConfigError('MAILCONFIG_TLS_CERT is set but MAILCONFIG_TLS_KEY is not');
  if (key && !cert) throw new ConfigError('MAILCONFIG_TLS_KEY is set but MAILCONFIG_TLS_CERT is not');
  if (cert && httpsPort === undefined) throw new ConfigError('MAILCONFIG_TLS_CERT is set but MAILCONFIG_HTTPS_PORT is not (no HTTPS listener would use it)');
  const httpsRedirect = readSwitch(env, 'MAILCONFIG_HTTPS_REDIRECT', false);
  if (httpsRedirect && httpsPort === undefined) throw new ConfigError('MAILCONFIG_HTTPS_REDIRECT=on needs MAILCONFIG_HTTPS_PORT');
  const shutdownRaw = env.MAILCONFIG_SHUTDOWN_TIMEOUT?.trim();
  if (shutdownRaw && !/^[0-9]+(\.[0-9]+)?$/.test(shutdownRaw)) throw new ConfigError(`MAILCONFIG_SHUTDOWN_TIMEOUT=${shutdownRaw} must be a number of seconds`);
  const shutdownSeconds = shutdownRaw ? Number(shutdownRaw) : 10;
  if (shutdownSeconds > 600) throw new ConfigError(`MAILCONFIG_SHUTDOWN_TIMEOUT=${shutdownRaw} must be at most 600 seconds`);
  const maxConnections = readCount(env, 'MAILCONFIG_MAX_CONNECTIONS', 10_000);
  const maxConnectionsPerClient = readCount(env, 'MAILCONFIG_MAX_CONNECTIONS_PER_CLIENT', 256);
  if (maxConnections < 1) throw new ConfigError('MAILCONFIG_MAX_CONNECTIONS must be at least 1');
  if (maxConnectionsPerClient < 1) throw new ConfigError('MAILCONFIG_MAX_CONNECTIONS_PER_CLIENT must be at least 1');
  return {
    httpsPort,
    tlsFiles: cert && key ? { cert: resolve(cert), key: resolve(key) } : undefined,
    httpsRedirect,
    shutdownTimeoutMs: shutdownSeconds * 1000,
    maxConnections,
    maxConnectionsPerClient,
    workers: readWorkers(env.MAILCONFIG_WORKERS, 'MAILCONFIG_WORKERS'),
  };
}

/** `auto` or a whole number from 1 to 256 (also used for `serve --workers`). */
export function readWorkers(raw: string | undefined, name: string): number | 'auto' {
  const value = raw?.trim().toLowerCase();
  if (!value) return 1;
  if (value === 'auto') return 'auto';
  if (!/^[0-9]{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 256) throw new ConfigError(`${name}=${raw} must be auto or a number of processes from 1 to 256`);
  return Number(value);
}
