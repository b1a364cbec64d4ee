// HTTP(S) fetches to addresses strangers' DNS chose: the vetted IP is pinned (undici never resolves), only ports
// 443/80, redirects re-vetted and limited, bodies capped, one deadline per fetch.
import { createSecureContext, rootCertificates, type SecureContext, type TLSSocket } from 'node:tls';
import { buildConnector, Client } from 'undici';
import type { StepFailure } from '../settings/steps.js';
import { messageOf } from './dns.js';
import { describeUnusable, type LookupDns } from './hosts.js';
import type { ConnectionLimiter } from './limiter.js';

export interface FetchOptions {
  dns: LookupDns;
  /** Extra trusted CAs (PEM), added to Node's roots. */
  ca?: string[] | undefined;
  /** Tests only: where a standard port of an address really listens. */
  mapPort?: ((ip: string, port: number) => number) | undefined;
  timeoutMs: number;
  maxBytes?: number;
  maxRedirects?: number;
  /** Allow http:// (the first URL or a redirect). */
  allowHttp?: boolean;
  signal?: AbortSignal;
  /** The caps on open connections (global, per looked-up domain `limitKey`, per target address); none: uncapped. */
  limiter?: ConnectionLimiter | undefined;
  limitKey?: string | undefined;
  /** POST this body instead of a GET (the domain check's Autodiscover POX request); redirects are not followed then. */
  post?: { body: string; contentType: string } | undefined;
}

export interface FetchHop {
  url: string;
  address?: string;
  status?: number;
  tlsVersion?: string | undefined;
}

export type FetchResult =
  | { ok: true; url: string; body: string; secure: boolean; hops: FetchHop[] }
  | {
      ok: false;
      url: string;
      error: string;
      /** Why, as a stable word. */
      failure: FetchFailure;
      hops: FetchHop[];
      /** The host does not exist or the file is not there (404/410). */
      missing: boolean;
    };

export type FetchFailure = Extract<StepFailure, 'dns' | 'refused' | 'timeout' | 'certificate' | 'cancelled' | 'not-allowed' | 'network' | 'protocol' | 'invalid'>;

const DEFAULT_MAX_BYTES = 64 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const STANDARD_PORT: Record<string, number> = { 'https:': 443, 'http:': 80 };

/** An expected reason not to go on: a refused URL or address, an HTTP answer that is not the file. */
class FetchRefused extends Error {
  constructor(
    message: string,
    readonly failure: FetchFailure,
    readonly missing = false,
  ) {
    super(message);
  }
}

/** Node's and OpenSSL's codes for a certificate that does not verify. */
const CERTIFICATE_CODES = /^(CERT_|ERR_TLS_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_)/;

/**
 * An error from the network below a fetch, as a failure kind; undefined when it is none of those (a bug).
 * Socket, TLS and undici errors all carry a string `code` (ECONNREFUSED, UND_ERR_SOCKET, CERT_HAS_EXPIRED, ...).
 */
function networkFailure(error: unknown): FetchFailure | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'ECONNREFUSED') return 'refused';
  if (CERTIFICATE_CODES.test(code)) return 'certificate';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') return 'timeout';
  return 'network';
}

/** GETs a URL and returns its body as text, or why not. Throws only for a bug (an error no network causes). */
export async function fetchVetted(url: string, options: FetchOptions): Promise<FetchResult> {
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const hops: FetchHop[] = [];
  const maxRedirects = options.maxRedirects ?? 3;
  let current = url;
  let secure = true;
  try {
    for (let redirect = 0; ; redirect++) {
      const target = checkUrl(current, options.allowHttp === true);
      secure &&= target.protocol === 'https:';
      const hop: FetchHop = { url: target.href };
      hops.push(hop);
      const response = await getOnce(target, hop, options, signal);
      hop.status = response.status;
      if (REDIRECTS.has(response.status) && !options.post) {
        if (!response.location) throw new FetchRefused(`HTTP ${response.status} without a Location`, 'protocol');
        if (redirect >= maxRedirects) throw new FetchRefused(`more than ${maxRedirects} redirects`, 'protocol');
        current = new URL(response.location, target).href;
        continue;
      }
      if (response.status !== 200) throw new FetchRefused(`HTTP ${response.status}`, 'protocol', response.status === 404 || response.status === 410);
      return { ok: true, url: target.href, body: response.body ?? '', secure, hops };
    }
  } catch (error) {
    const failed = (failure: FetchFailure, why: string): FetchResult => ({ ok: false, url, error: why, failure, hops, missing: error instanceof FetchRefused && error.missing });
    if (deadline.aborted) return failed('timeout', `no answer within ${options.timeoutMs} ms`);
    if (options.signal?.aborted) return failed('cancelled', 'cancelled (lookup deadline)');
    if (error instanceof FetchRefused) return failed(error.failure, error.message);
    const failure = networkFailure(error);
    if (failure) return failed(failure, messageOf(error));
    throw error;
  }
}

function checkUrl(text: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // new URL throws TypeError for text that is no URL: an expected refusal, not a bug
    throw new FetchRefused(`not a URL: ${text}`, 'invalid');
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) throw new FetchRefused(`refused ${url.protocol}// URL ${url.href} (https only)`, 'not-allowed');
  // An explicit port equal to the default is normalised away by URL; anything left is a non-web port.
  if (url.port !== '') throw new FetchRefused(`refused port ${url.port} (only 443 and 80)`, 'not-allowed');
  if (url.username || url.password) throw new FetchRefused('refused URL with credentials', 'not-allowed');
  return url;
}

interface RawResponse {
  status: number;
  location?: string | undefined;
  body?: string;
}

async function getOnce(url: URL, hop: FetchHop, options: FetchOptions, signal: AbortSignal): Promise<RawResponse> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const vetted = await options.dns.resolveHost(host);
  const address = vetted.addresses[0];
  if (!address) throw new FetchRefused(describeUnusable(vetted), vetted.refused.length > 0 ? 'not-allowed' : 'dns', vetted.nxdomain || (vetted.refused.length === 0 && !vetted.error));
  hop.address = address;
  // Under the same caps as the probes: a fetch is a connection too.
  if (options.limiter) return options.limiter.run(options.limitKey ?? host, () => requestOnce(url, host, address, hop, options, signal), signal, address);
  return requestOnce(url, host, address, hop, options, signal);
}

async function requestOnce(url: URL, host: string, address: string, hop: FetchHop, options: FetchOptions, signal: AbortSignal): Promise<RawResponse> {
  const standard = STANDARD_PORT[url.protocol]!;
  const port = options.mapPort?.(address, standard) ?? standard;
  const base = buildConnector({
    timeout: options.timeoutMs,
    // One context per set of extra CAs, not one per connection (each would parse every root again and keep it).
    ...(options.ca?.length ? { secureContext: verifyingContext(options.ca) } : {}),
    maxCachedSessions: 0,
  });
  // Connect to the vetted address only; TLS still checks the certificate against the name (servername).
  const connect: buildConnector.connector = (opts, callback) => {
    base({ ...opts, hostname: address, port: String(port), ...(url.protocol === 'https:' ? { servername: host } : {}) }, (...args) => {
      const socket = args[1];
      if (socket && 'getProtocol' in socket) hop.tlsVersion = (socket as TLSSocket).getProtocol() ?? undefined;
      callback(...args);
    });
  };
  const client = new Client(url.origin, { connect, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, pipelining: 0 });
  try {
    const response = await client.request({
      path: `${url.pathname}${url.search}`,
      method: options.post ? 'POST' : 'GET',
      headers: { accept: 'application/xml, text/xml;q=0.9', 'user-agent': 'mailconfig-discovery', ...(options.post ? { 'content-type': options.post.contentType } : {}) },
      ...(options.post ? { body: options.post.body } : {}),
      signal,
    });
    const location = response.headers.location;
    if (response.statusCode !== 200) {
      await response.body.dump();
      return { status: response.statusCode, location: Array.isArray(location) ? location[0] : location };
    }
    return { status: 200, body: await readCapped(response.body, options.maxBytes ?? DEFAULT_MAX_BYTES, response.headers['content-length']) };
  } finally {
    // Closing after the answer: a socket that already failed has been reported above; nothing is lost here.
    void client.destroy().catch(() => {});
  }
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number, declared: string | string[] | undefined): Promise<string> {
  if (typeof declared === 'string' && Number(declared) > maxBytes) {
    body.destroy();
    throw new FetchRefused(`body of ${declared} bytes is larger than ${maxBytes}`, 'invalid');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw new FetchRefused(`body larger than ${maxBytes} bytes`, 'invalid');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const contexts = new Map<string, SecureContext>();

/** Node's roots plus `extra`, verifying as usual (undici checks the name); cached, a few sets at most. */
function verifyingContext(extra: string[]): SecureContext {
  const key = extra.join('\n');
  let context = contexts.get(key);
  if (!context) {
    if (contexts.size >= 16) contexts.clear();
    context = createSecureContext({ ca: [...rootCertificates, ...extra] });
    contexts.set(key, context);
  }
  return context;
}
