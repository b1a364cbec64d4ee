// What a discovery lookup may do and how long it may take. Production fills this from the environment
// (src/config.ts); tests inject DNS servers, a test CA and a port mapping for fake servers on random ports.
import type { DnsServer } from './dns.js';

export interface DiscoveryOptions {
  /** Nameservers to ask (MAILCONFIG_DNS; default the system's). */
  dnsServers: DnsServer[];
  /** CIDRs that may be connected to although they are not global unicast (MAILCONFIG_ALLOW_NETWORKS). */
  allowNetworks: string[];
  /** The whole lookup's deadline (MAILCONFIG_LOOKUP_TIMEOUT). */
  lookupTimeoutMs: number;
  /** `mx` (MAILCONFIG_DISCOVERY=mx): MX lookups matched against the database only; default `full`: every step. */
  mode?: 'full' | 'mx' | undefined;
  /** Also fetch http://autoconfig.D/... when https gave nothing (MAILCONFIG_AUTOCONFIG_HTTP=on). */
  autoconfigHttp: boolean;
  /** Extra trusted CAs (PEM), added to Node's roots for probes and fetches. */
  ca?: string[];
  /**
   * Tests only: the port a standard port of an address really listens on (fake servers use random ports).
   * Production leaves it unset: every connection goes to the standard port.
   */
  mapPort?: (ip: string, standardPort: number) => number;
  /** Deadline of one DNS query. */
  dnsTimeoutMs?: number;
  /** Deadline of one HTTP fetch (redirects included). */
  fetchTimeoutMs?: number;
  /** Deadline of one probe connection. */
  probeTimeoutMs?: number;
  /** Name sent in SMTP EHLO. */
  ehloName?: string;
  /** Caps on open probe connections. */
  maxConnections?: number;
  maxConnectionsPerDomain?: number;
  /** Open connections (probes and fetches) at most to one server address, over all lookups. */
  maxConnectionsPerTarget?: number;
  /** Lookups running at once, over all domains (each holds DNS sockets and fetches); more wait their turn. */
  maxLookups?: number;
  /** Aborted when the service shuts down: lookups still running stop at once. */
  stop?: AbortSignal | undefined;
  /** Random source for RFC 2782 weighted SRV selection (tests make it deterministic). */
  random?: () => number;
}

export const DEFAULT_LOOKUP_TIMEOUT_MS = 8000;

export interface Limits {
  dnsTimeoutMs: number;
  fetchTimeoutMs: number;
  probeTimeoutMs: number;
  /** HTTP bodies at most (the same limit the provider parser applies). */
  maxBodyBytes: number;
  maxRedirects: number;
  /** SRV records followed per service label. */
  srvTargetsPerService: number;
  /**
   * Happy Eyeballs for probes (RFC 8305's idea, per protocol): the next-ranked try starts when the one before it
   * failed or after this head start, whichever comes first.
   */
  probeHeadStartMs: number;
  /**
   * Once a worse-ranked try succeeded, a better-ranked one still silent this long after its own start is given up:
   * a target that accepts and never greets costs about this, not a whole probe timeout.
   */
  probePatienceMs: number;
}

export function limitsOf(options: DiscoveryOptions): Limits {
  return {
    dnsTimeoutMs: options.dnsTimeoutMs ?? 2500,
    fetchTimeoutMs: options.fetchTimeoutMs ?? 5000,
    probeTimeoutMs: options.probeTimeoutMs ?? 6000,
    maxBodyBytes: 64 * 1024,
    maxRedirects: 3,
    srvTargetsPerService: 2,
    probeHeadStartMs: 300,
    probePatienceMs: 1200,
  };
}
