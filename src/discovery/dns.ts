// DNS for discovery: dns2's wire format over UDP, TCP when the answer is truncated, and a deadline on every query.
import { randomInt } from 'node:crypto';
import { getServers } from 'node:dns';
import { connect, isIP } from 'node:net';
import DNS from 'dns2';
import { MailconfigError } from '../settings/errors.js';
import { ConnectionLimiter } from './limiter.js';

export type RecordType = 'A' | 'AAAA' | 'MX' | 'SRV' | 'TXT' | 'CNAME';
export type DnsRecord = DNS.Packet.Resource;

export interface DnsServer {
  address: string;
  port: number;
}

export interface DnsAnswer {
  name: string;
  type: RecordType;
  /** The name does not exist (RCODE 3). */
  nxdomain: boolean;
  /** Answers of the asked type only (CNAMEs and other types that servers mix in are dropped). */
  records: DnsRecord[];
  /**
   * The CNAME chain the answer carried, from the asked name on (`imap.d.example -> mail.hoster.example`), names in
   * their canonical form (see dnsName). Empty when the name is no alias.
   */
  cnames: CnameLink[];
  /** Lowest TTL of the records (seconds); for an empty answer the SOA minimum when the server sent one. */
  ttl?: number | undefined;
  /** Answered over TCP after a truncated UDP answer. */
  tcp: boolean;
}

export interface CnameLink {
  name: string;
  target: string;
}

/** Longest CNAME chain followed inside one answer (resolvers stop far earlier). */
const MAX_CNAME_CHAIN = 8;

/**
 * A DNS name as discovery compares it: lower case, without the trailing dot (names from DNS are case-insensitive,
 * RFC 4343, and absolute names may come with or without the root label).
 */
export function dnsName(name: string): string {
  return name.trim().toLowerCase().replace(/\.+$/, '');
}

/** A query that got no usable answer: a timeout, SERVFAIL, REFUSED, a network error. */
export class DnsError extends MailconfigError {
  constructor(
    message: string,
    /** `timeout`: no answer in time; `cancelled`: the lookup stopped asking; `dns`: any other failure. */
    readonly failure: 'dns' | 'timeout' | 'cancelled' = 'dns',
  ) {
    super(failure === 'timeout' ? 'MAILCONFIG_DNS_TIMEOUT' : failure === 'cancelled' ? 'MAILCONFIG_DNS_CANCELLED' : 'MAILCONFIG_DNS_FAILED', message);
  }
}

export interface Resolver {
  query(name: string, type: RecordType, signal?: AbortSignal): Promise<DnsAnswer>;
}

const RCODE_NAMES: Record<number, string> = { 1: 'FORMERR', 2: 'SERVFAIL', 4: 'NOTIMP', 5: 'REFUSED' };
/** A TCP answer is at most 64 KiB by its length prefix; nothing else is read. */
const MAX_TCP_MESSAGE = 65535;

/** Parses `ip[:port]`, `[ipv6]:port` or a bare IPv6 address; undefined when it is none of these. */
export function parseDnsServer(text: string): DnsServer | undefined {
  const value = text.trim();
  const bracketed = /^\[([^\]]+)\](?::([0-9]{1,5}))?$/.exec(value);
  if (bracketed) return checked(bracketed[1]!, bracketed[2]);
  if (isIP(value) === 6) return { address: value, port: 53 };
  const [address = '', port, ...rest] = value.split(':');
  return rest.length === 0 ? checked(address, port) : undefined;
}

function checked(address: string, port: string | undefined): DnsServer | undefined {
  const number = port === undefined ? 53 : Number(port);
  if (isIP(address) === 0 || !Number.isInteger(number) || number < 1 || number > 65535) return undefined;
  return { address, port: number };
}

/** The system's nameservers (as Node reads them from resolv.conf), used when MAILCONFIG_DNS is not set. */
export function systemDnsServers(): DnsServer[] {
  return getServers().flatMap((entry) => {
    const server = parseDnsServer(entry);
    return server ? [server] : [];
  });
}

export interface DnsClientOptions {
  servers: DnsServer[];
  /** Deadline for one query, UDP and TCP fallback together (ms). */
  timeoutMs?: number | undefined;
  /** TCP connections to the nameservers open at once (default 16); more queries wait their turn. */
  maxTcpConnections?: number | undefined;
}

/**
 * Asks the configured servers (all at once, first usable answer wins) and never waits past the deadline:
 * dns2's own TCP client has no timeout, so TCP is done here with dns2's packet codec.
 */
export class DnsClient implements Resolver {
  private readonly servers: DnsServer[];
  private readonly timeoutMs: number;
  /** TCP connections to the nameservers open at once (truncated answers), over all lookups. */
  private readonly tcpSlots: ConnectionLimiter;

  constructor(options: DnsClientOptions) {
    this.servers = options.servers;
    this.timeoutMs = options.timeoutMs ?? 2500;
    this.tcpSlots = new ConnectionLimiter({ global: options.maxTcpConnections ?? 16, perDomain: options.maxTcpConnections ?? 16 });
  }

  async query(name: string, type: RecordType, signal?: AbortSignal): Promise<DnsAnswer> {
    if (this.servers.length === 0) throw new DnsError(`${type} ${name}: no DNS servers configured (set MAILCONFIG_DNS)`);
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const attempts = this.servers.map((server) => this.ask(server, name, type, combined));
    try {
      return await Promise.any(attempts);
    } catch (error) {
      // Whatever made every server fail (a timeout, a socket error, an unreadable or refused answer) is a DNS
      // failure: a value the step reports, never a bug of ours.
      const first = error instanceof AggregateError ? error.errors[0] : error;
      if (deadline.aborted) throw new DnsError(`${type} ${name}: no answer within ${this.timeoutMs} ms`, 'timeout');
      if (signal?.aborted) throw new DnsError(`${type} ${name}: cancelled`, 'cancelled');
      throw first instanceof DnsError ? first : new DnsError(`${type} ${name}: ${messageOf(first)}`);
    }
  }

  private async ask(server: DnsServer, name: string, type: RecordType, signal: AbortSignal): Promise<DnsAnswer> {
    // Not even sent when already cancelled (a lookup started while the service stops): withAbort would leave the
    // query's own rejection unhandled.
    if (signal.aborted) throw new DnsError(`${type} ${name}: cancelled`);
    let packet = await withAbort(udpQuery(server, name, type, this.timeoutMs), signal);
    let tcp = false;
    if (packet.header.tc) {
      packet = await this.tcpSlots.run('tcp', () => tcpQuery(server, name, type, signal), signal);
      tcp = true;
    }
    return toAnswer(packet, name, type, tcp);
  }
}

function udpQuery(server: DnsServer, name: string, type: RecordType, timeoutMs: number): Promise<DNS.Packet> {
  const socketType = isIP(server.address) === 6 ? 'udp6' : 'udp4';
  // dns2's UDP client checks the sender and the query id; the TCP retry is ours (it needs a deadline).
  return DNS.UDPClient({ dns: server.address, port: server.port, socketType, timeout: timeoutMs, retryOverTCP: false })(name, type);
}

/** One query over TCP (RFC 1035 4.2.2: two-byte length prefix); the socket is destroyed when the signal aborts. */
function tcpQuery(server: DnsServer, name: string, type: RecordType, signal: AbortSignal): Promise<DNS.Packet> {
  const query = new DNS.Packet();
  query.header.id = randomInt(0x10000);
  query.header.rd = 1;
  query.questions.push({ name, type: DNS.Packet.TYPE[type], class: DNS.Packet.CLASS.IN } as DNS.Packet.Question);
  const message = query.toBuffer();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.address, port: server.port });
    let buffered = Buffer.alloc(0);
    const finish = (error?: Error, packet?: DNS.Packet) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(packet!);
    };
    const onAbort = () => finish(new DnsError(`${type} ${name}: TCP query aborted`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length > MAX_TCP_MESSAGE + 2) return finish(new DnsError(`${type} ${name}: oversized TCP answer`));
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      try {
        const packet = DNS.Packet.parse(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        if (packet.header.id !== query.header.id) return finish(new DnsError(`${type} ${name}: TCP answer with a wrong id`));
        finish(undefined, packet);
      } catch (error) {
        finish(new DnsError(`${type} ${name}: unreadable TCP answer (${messageOf(error)})`));
      }
    });
    socket.on('error', (error) => finish(new DnsError(`${type} ${name}: TCP ${messageOf(error)}`)));
    socket.on('close', () => finish(new DnsError(`${type} ${name}: TCP connection closed without an answer`)));
  });
}

function toAnswer(packet: DNS.Packet, name: string, type: RecordType, tcp: boolean): DnsAnswer {
  const rcode = packet.header.rcode;
  if (rcode === 3) return { name, type, nxdomain: true, records: [], cnames: cnameChain(packet, name), ttl: soaMinimum(packet), tcp };
  if (rcode !== 0) throw new DnsError(`${type} ${name}: server answered ${RCODE_NAMES[rcode] ?? `RCODE ${rcode}`}`);
  const wanted = DNS.Packet.TYPE[type];
  const records = packet.answers.filter((record) => record.type === wanted);
  const ttl = records.length > 0 ? Math.min(...records.map((r) => r.ttl)) : soaMinimum(packet);
  return { name, type, nxdomain: false, records, cnames: cnameChain(packet, name), ttl, tcp };
}

/** The aliases from the asked name on, as the answer section lists them (loops and overlong chains cut off). */
function cnameChain(packet: DNS.Packet, asked: string): CnameLink[] {
  const links = new Map<string, string>();
  for (const record of packet.answers) {
    if (record.type !== DNS.Packet.TYPE.CNAME || typeof record.domain !== 'string') continue;
    const from = dnsName(record.name);
    if (!links.has(from)) links.set(from, dnsName(record.domain));
  }
  const chain: CnameLink[] = [];
  const seen = new Set<string>();
  for (let name = dnsName(asked); links.has(name) && !seen.has(name) && chain.length < MAX_CNAME_CHAIN; ) {
    seen.add(name);
    const target = links.get(name)!;
    if (target === '') break;
    chain.push({ name, target });
    name = target;
  }
  return chain;
}

/** RFC 2308: a negative answer lives for min(SOA TTL, SOA minimum). */
function soaMinimum(packet: DNS.Packet): number | undefined {
  const soa = packet.authorities.find((record) => record.type === DNS.Packet.TYPE.SOA);
  if (!soa) return undefined;
  return Math.min(soa.ttl, soa.minimum ?? soa.ttl);
}

function withAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new DnsError('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DnsError('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
