// A fake authoritative DNS server (dns2) on 127.0.0.1, UDP and TCP on one random port, answering from a zone
// given as plain data. It counts every question, can delay answers (benchmarks), hold one question's answers until
// released, or never answer (timeouts).
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import DNS from 'dns2';

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  /** '' or '.' means "service not offered". */
  target: string;
}

export interface RecordSet {
  A?: string[];
  AAAA?: string[];
  MX?: { exchange: string; priority: number }[];
  SRV?: SrvData[];
  /** One record per entry; an array is one record of several character-strings (as long TXT records are sent). */
  TXT?: (string | string[])[];
  /** A CNAME mixed into every answer for this name (clients must filter answers by type). */
  noiseCname?: string;
  /** A real alias: answered for every type, followed by the target's records of the asked type (as a recursive resolver does). */
  CNAME?: string;
}

export type Zone = Record<string, RecordSet>;

export interface FakeDnsOptions {
  zone: Zone;
  /** TTL of every record (seconds). */
  ttl?: number;
  /** Milliseconds before each answer. */
  delayMs?: number;
  /** Never answer anything (a server that times out). */
  silent?: boolean;
  /** Records for names the zone does not list (benchmarks: thousands of generated domains). */
  generate?: (name: string) => RecordSet | undefined;
  /** false: do not keep the questions (a long benchmark would grow the list without bound). */
  recordQueries?: boolean;
}

export interface FakeDns {
  address: string;
  port: number;
  /** `TYPE name` of every question received, in order, over UDP and TCP. */
  queries(): string[];
  /** Change the zone (later questions see the new data). */
  setZone(zone: Zone): void;
  /**
   * Hold back the answers to one question (`TYPE name`, as in queries()) until the returned function is called; it
   * sends them and stops holding (calling it again does nothing). For tests of what happens while a query is open.
   */
  hold(question: string): () => void;
  close(): Promise<void>;
}

const TYPE_NAMES = Object.fromEntries(Object.entries(DNS.Packet.TYPE).map(([name, code]) => [code, name])) as Record<number, string>;

export async function startFakeDns(options: FakeDnsOptions): Promise<FakeDns> {
  let zone = normalize(options.zone);
  const asked: string[] = [];
  const held = new Map<string, (() => void)[]>();
  const ttl = options.ttl ?? 300;
  const server = DNS.createServer({
    udp: true,
    tcp: true,
    handle: (request, send) => {
      const question = request.questions[0];
      if (!question) return;
      const name = question.name.toLowerCase().replace(/\.$/, '');
      const asking = `${TYPE_NAMES[question.type] ?? question.type} ${name}`;
      if (options.recordQueries !== false) asked.push(asking);
      if (options.silent) return;
      const response = DNS.Packet.createResponseFromRequest(request);
      const records = zone.get(name) ?? options.generate?.(name);
      const exists = records !== undefined || [...zone.keys()].some((known) => known.endsWith(`.${name}`));
      if (!exists) {
        response.header.rcode = 3;
        response.authorities.push({ name: zoneApex(name), type: DNS.Packet.TYPE.SOA, class: DNS.Packet.CLASS.IN, ttl, primary: 'ns.test', admin: 'hostmaster.test', serial: 1, refresh: 3600, retry: 600, expiration: 86400, minimum: ttl } as DNS.Packet.Resource);
      } else if (records) {
        response.answers.push(...answers(name, question.type, records, ttl));
        const target = records.CNAME?.toLowerCase().replace(/\.$/, '');
        const aliased = target === undefined ? undefined : zone.get(target);
        if (aliased && question.type !== DNS.Packet.TYPE.CNAME) response.answers.push(...answers(target!, question.type, aliased, ttl));
      }
      const reply = () => void send(response).catch(() => undefined);
      const waiting = held.get(asking);
      if (waiting) waiting.push(reply);
      else if (options.delayMs) setTimeout(reply, options.delayMs);
      else reply();
    },
  });
  const port = await listen(server);
  return {
    address: '127.0.0.1',
    port,
    queries: () => [...asked],
    setZone: (next) => (zone = normalize(next)),
    hold: (question) => {
      const waiting: (() => void)[] = [];
      held.set(question, waiting);
      return () => {
        if (held.get(question) !== waiting) return;
        held.delete(question);
        for (const reply of waiting) reply();
      };
    },
    close: async () => {
      await server.close();
    },
  };
}

function normalize(zone: Zone): Map<string, RecordSet> {
  return new Map(Object.entries(zone).map(([name, set]) => [name.toLowerCase().replace(/\.$/, ''), set]));
}

function zoneApex(name: string): string {
  return name.split('.').slice(-2).join('.');
}

function answers(name: string, type: number, set: RecordSet, ttl: number): DNS.Packet.Resource[] {
  const base = { name, class: DNS.Packet.CLASS.IN, ttl };
  const out: Partial<DNS.Packet.Resource>[] = [];
  if (set.noiseCname) out.push({ ...base, type: DNS.Packet.TYPE.CNAME, domain: set.noiseCname });
  if (set.CNAME) out.push({ ...base, type: DNS.Packet.TYPE.CNAME, domain: set.CNAME });
  const T = DNS.Packet.TYPE;
  if (type === T.A) for (const address of set.A ?? []) out.push({ ...base, type: T.A, address });
  if (type === T.AAAA) for (const address of set.AAAA ?? []) out.push({ ...base, type: T.AAAA, address });
  if (type === T.MX) for (const mx of set.MX ?? []) out.push({ ...base, type: T.MX, exchange: mx.exchange, priority: mx.priority });
  if (type === T.SRV) {
    for (const srv of set.SRV ?? []) out.push({ ...base, type: T.SRV, priority: srv.priority, weight: srv.weight, port: srv.port, target: srv.target === '.' ? '' : srv.target });
  }
  if (type === T.TXT) for (const text of set.TXT ?? []) out.push({ ...base, type: T.TXT, data: text });
  return out as DNS.Packet.Resource[];
}

/** UDP and TCP on the same port of 127.0.0.1 (TCP would bind every interface without the explicit host). */
async function listen(server: DNS.DnsServer): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const probe = createSocket('udp4');
    probe.bind(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = probe.address().port;
    probe.close();
    const failed = new Promise<never>((_, reject) => server.once('error', reject));
    try {
      await Promise.race([server.listen({ udp: { port, address: '127.0.0.1' }, tcp: { port, address: '127.0.0.1' } }), failed]);
      return port;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}
