// Decides which addresses discovery may connect to. Strangers control the DNS we follow, so anything that is not
// global unicast (loopback, private networks, cloud metadata, tunnels that embed such addresses) is refused unless
// the operator allowed it explicitly with MAILCONFIG_ALLOW_NETWORKS.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { MailconfigError } from '../settings/errors.js';
import type { NetworkGuard } from './types.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

const ALLOW_VARIABLE = 'MAILCONFIG_ALLOW_NETWORKS';

/** An allow-list entry that is no IP address or CIDR; the config loader names the variable (a ConfigError). */
export class NetworkGuardError extends MailconfigError {
  constructor(
    /** The entry as written. */
    readonly entry: string,
  ) {
    super('MAILCONFIG_NETWORK_INVALID', `"${entry}" is not an IP address or CIDR (examples: 192.0.2.0/24, 2001:db8::/32, 127.0.0.1)`);
  }
}

/** Special-purpose ranges with the words used in refusals; most specific first, checked in order. */
const V4_RANGES: ReadonlyArray<readonly [string, string]> = [
  ['255.255.255.255/32', 'the broadcast address'],
  ['0.0.0.0/8', "unspecified ('this network')"],
  ['127.0.0.0/8', 'loopback'],
  ['10.0.0.0/8', 'a private address (RFC 1918)'],
  ['172.16.0.0/12', 'a private address (RFC 1918)'],
  ['192.168.0.0/16', 'a private address (RFC 1918)'],
  ['100.64.0.0/10', 'carrier-grade NAT space (RFC 6598)'],
  ['169.254.0.0/16', 'link-local'],
  ['192.0.2.0/24', 'a documentation address (RFC 5737)'],
  ['198.51.100.0/24', 'a documentation address (RFC 5737)'],
  ['203.0.113.0/24', 'a documentation address (RFC 5737)'],
  ['198.18.0.0/15', 'a benchmarking address (RFC 2544)'],
  ['192.0.0.0/24', 'reserved for IETF protocol assignments'],
  ['192.88.99.0/24', 'the deprecated 6to4 relay anycast range'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (240.0.0.0/4)'],
];

const V6_RANGES: ReadonlyArray<readonly [string, string]> = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  // Tunnels and translators that embed an IPv4 address would reach whatever that address is.
  ['64:ff9b::/96', 'NAT64 (RFC 6052)'],
  ['64:ff9b:1::/48', 'local-use NAT64 (RFC 8215)'],
  ['::ffff:0:0:0/96', 'IPv4-translated (RFC 6145)'],
  ['100::/64', 'the discard prefix (RFC 6666)'],
  ['2001:db8::/32', 'a documentation address (RFC 3849)'],
  ['3fff::/20', 'a documentation address (RFC 9637)'],
  ['2001:2::/48', 'a benchmarking address (RFC 5180)'],
  ['2001::/32', 'Teredo (RFC 4380)'],
  ['2001::/23', 'reserved for IETF protocol assignments'],
  ['2002::/16', '6to4 (RFC 3056)'],
  ['fc00::/7', 'a unique local address (ULA, RFC 4193)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local (deprecated)'],
  ['ff00::/8', 'multicast'],
];

const NAMED_V4 = V4_RANGES.map(([cidr, words]) => [ipaddr.IPv4.parseCIDR(cidr), words] as const);
const NAMED_V6 = V6_RANGES.map(([cidr, words]) => [ipaddr.IPv6.parseCIDR(cidr), words] as const);
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/** Parses an address the way the socket layer will read it: strict dotted quad or IPv6, no zone, no shorthand. */
function parseStrict(ip: string): Address | undefined {
  const family = ip.includes('%') ? 0 : isIP(ip);
  try {
    if (family === 4) return ipaddr.IPv4.parse(ip);
    // ipaddr.js reads "::a.b.c.d" as IPv4-mapped; the WHATWG URL parser spells IPv6 in plain hex first, as the kernel reads it.
    if (family === 6) return ipaddr.IPv6.parse(new URL(`http://[${ip}]`).hostname.slice(1, -1));
  } catch {
    // fall through: not an address we can reason about
  }
  return undefined;
}

function inCidr(address: Address, [network, bits]: Cidr): boolean {
  return address.kind() === network.kind() && address.match(network, bits);
}

/** Why an address is not global unicast, in words; undefined when it is. */
function specialUse(address: Address): string | undefined {
  if (address.kind() === 'ipv4') {
    const v4 = address as ipaddr.IPv4;
    const named = NAMED_V4.find(([cidr]) => inCidr(v4, cidr));
    if (named) return named[1];
    const range = v4.range();
    return range === 'unicast' ? undefined : `in the special-purpose range "${range}"`;
  }
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) {
    const inner = v6.toIPv4Address();
    const why = specialUse(inner);
    return why ? `IPv4-mapped ${inner.toString()} (${why})` : undefined;
  }
  const named = NAMED_V6.find(([cidr]) => inCidr(v6, cidr));
  if (named) return named[1];
  // IANA has only allocated 2000::/3 for global unicast; the rest (e.g. IPv4-compatible ::a.b.c.d) is not routable.
  if (!inCidr(v6, GLOBAL_UNICAST_V6)) return 'outside the global unicast space 2000::/3';
  const range = v6.range();
  return range === 'unicast' ? undefined : `in the special-purpose range "${range}"`;
}

/** The IPv4 form of an IPv4-mapped IPv6 address, so either spelling matches an operator's IPv4 CIDR. */
function forms(address: Address): Address[] {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) return [address, (address as ipaddr.IPv6).toIPv4Address()];
  return [address];
}

function parseCidr(text: string): Cidr | undefined {
  const [ip, bits, extra] = text.split('/');
  if (ip === undefined || extra !== undefined) return undefined;
  const address = parseStrict(ip);
  if (!address) return undefined;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  if (bits === undefined) return [address, max];
  if (!/^[0-9]{1,3}$/.test(bits) || Number(bits) > max) return undefined;
  return [address, Number(bits)];
}

/** An IPv4-mapped IPv6 CIDR (::ffff:a.b.c.d/104) is an IPv4 CIDR in disguise; store it as one. */
function canonicalCidr([address, bits]: Cidr): Cidr {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [address, bits];
}

function formatCidr([address, bits]: Cidr): string {
  const network = address.kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
    : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  return `${network.toString()}/${bits}`;
}

/**
 * Reads MAILCONFIG_ALLOW_NETWORKS: comma-separated CIDRs, a bare address meaning just that address.
 * Returns them normalized (network address/prefix); throws NetworkGuardError naming the first bad entry.
 */
export function parseAllowNetworks(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const result: string[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const cidr = parseCidr(entry);
    if (!cidr) throw new NetworkGuardError(entry);
    result.push(formatCidr(canonicalCidr(cidr)));
  }
  return result;
}

/** A guard that refuses every address that is not global unicast, unless it lies inside one of `allow`. */
export function createNetworkGuard(allow: string[]): NetworkGuard {
  const allowed = parseAllowNetworks(allow.join(',')).map((text) => canonicalCidr(parseCidr(text) as Cidr));
  return {
    refusal(ip: string): string | undefined {
      const address = parseStrict(ip);
      if (!address) return `"${ip}" is not an IP address`;
      if (forms(address).some((form) => allowed.some((cidr) => inCidr(form, cidr)))) return undefined;
      const why = specialUse(address);
      return why ? `${ip} is ${why} and not in ${ALLOW_VARIABLE}` : undefined;
    },
  };
}
