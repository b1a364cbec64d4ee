// A fake Internet on 127.0.1.0/24 for the domain check: fake DNS (dns2), this service's HTTPS front on
// 127.0.1.10 (and 127.0.1.11 with an expired certificate), a hoster's IMAP/SMTP servers on 127.0.1.20, and one
// customer domain per mistake. What the front serves is rendered by the project's own renderers.
import { createHash } from 'node:crypto';
import { renderPoxResponse } from '../../src/formats/autodiscover.js';
import { dnsPlan } from '../../src/formats/dns-records.js';
import { renderPacc } from '../../src/formats/pacc.js';
import { renderClientConfig } from '../../src/formats/thunderbird.js';
import { ProviderIndex, type ProviderEntry } from '../../src/providers/database.js';
import { StaticProviderStore } from '../../src/providers/store.js';
import { parseAddress } from '../../src/settings/address.js';
import type { CheckerOptions } from '../../src/check/checker.js';
import { makeTestPki, type TestPki } from './certs.js';
import { providerEntry } from './discovery-world.js';
import { startFakeDns, type FakeDns, type RecordSet, type Zone } from './fake-dns.js';
import { startFakeWeb, type Route } from './fake-web.js';
import { startFakeImap, startFakeSmtp } from './mail-servers.js';

export const SERVICE_HOST = 'cfg.service.example';
export const SERVICE_IP = '127.0.1.10';
/** Also this service (MAILCONFIG_SERVICE_ADDRESSES), but with an expired certificate. */
export const EXPIRED_IP = '127.0.1.11';
const MAIL_IP = '127.0.1.20';
const ELSEWHERE_IP = '127.0.1.30';

/** One domain set up right, and one per mistake. */
export const DOMAINS = {
  good: 'good.example',
  cname: 'cname.example',
  cert: 'cert.example',
  srvPort: 'srvport.example',
  stale: 'stale.example',
  otherMx: 'othermx.example',
} as const;

const HOSTER = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="hoster.example">
    <domain>hoster.example</domain>
${Object.values(DOMAINS).map((d) => `    <domain>${d}</domain>`).join('\n')}
    <domain purpose="mx">mx.hoster.example</domain>
    <displayName>Hoster Mail</displayName>
    <incomingServer type="imap">
      <hostname>imap.hoster.example</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.hoster.example</hostname>
      <port>465</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
`;

const BIGMAIL = HOSTER.replace(/hoster\.example/g, 'bigmail.example')
  .replace(new RegExp(Object.values(DOMAINS).map((d) => `    <domain>${d.replace('.', '\\.')}</domain>\\n`).join(''), 'g'), '')
  .replace('Hoster Mail', 'Bigmail');

export interface CheckWorld {
  dns: FakeDns;
  /** The zone the fake DNS answers from (change it with dns.setZone). */
  zone: Zone;
  pki: TestPki;
  providers: ProviderEntry[];
  store: StaticProviderStore;
  hoster: ProviderEntry;
  /** The provider files by file name (for a providers directory of the CLI's own). */
  providerFiles: Record<string, string>;
  /** The service's configuration for this network, as environment variables (add MAILCONFIG_PROVIDERS). */
  env: Record<string, string>;
  /** The PACC digest of the document the front serves for a domain. */
  paccDigest(domain: string): string;
  options(extra?: Partial<CheckerOptions>): CheckerOptions;
  close(): Promise<void>;
}

export async function startCheckWorld(): Promise<CheckWorld> {
  const pki = await makeTestPki([SERVICE_HOST, ...Object.values(DOMAINS).flatMap((d) => [d, `*.${d}`]), '*.hoster.example', '*.bigmail.example', 'other-host.example']);
  const hoster = providerEntry('hoster.example.xml', HOSTER);
  const bigmail = providerEntry('bigmail.example.xml', BIGMAIL);
  const providers = [hoster, bigmail];
  const config = hoster.config;
  const ports = new Map<string, number>();
  const closers: (() => Promise<void>)[] = [];

  // The front: every customer's autoconfig, autodiscover and ua-auto-config name, chosen by Host.
  const routes: Record<string, Route> = {};
  for (const domain of Object.values(DOMAINS)) {
    routes[`autoconfig.${domain}/mail/config-v1.1.xml`] = renderClientConfig(config);
    routes[`autodiscover.${domain}/autodiscover/autodiscover.xml`] = renderPoxResponse(config, parseAddress(`autodiscover-check@${domain}`));
    const pacc = renderPacc(config, domain);
    if (pacc.ok) routes[`ua-auto-config.${domain}/.well-known/user-agent-configuration.json`] = pacc.body;
  }
  for (const [ip, pem] of [[SERVICE_IP, pki.valid], [EXPIRED_IP, pki.expired]] as const) {
    const web = await startFakeWeb({ host: ip, pem, routes });
    ports.set(`${ip}:443`, web.port);
    closers.push(() => web.close());
  }
  const imap = await startFakeImap({ host: MAIL_IP, mode: 'tls', pem: pki.valid, capabilities: ['IMAP4rev1', 'AUTH=PLAIN'] });
  const smtp = await startFakeSmtp({ host: MAIL_IP, mode: 'tls', pem: pki.valid, capabilities: ['AUTH PLAIN'] });
  ports.set(`${MAIL_IP}:993`, imap.port);
  ports.set(`${MAIL_IP}:465`, smtp.port);
  closers.push(() => imap.close(), () => smtp.close());

  const paccDigest = (domain: string) => {
    const pacc = renderPacc(config, domain);
    if (!pacc.ok) throw new Error(pacc.reason);
    return pacc.digest;
  };
  const zone: Zone = {
    [SERVICE_HOST]: { A: [SERVICE_IP] },
    'imap.hoster.example': { A: [MAIL_IP] },
    'smtp.hoster.example': { A: [MAIL_IP] },
    'in.mx.hoster.example': { A: [MAIL_IP] },
    'in.mx.bigmail.example': { A: [ELSEWHERE_IP] },
    'other-host.example': { A: [ELSEWHERE_IP] },
  };
  /** A domain with every record the zone lines ask for, then `mistake` applied. */
  const publish = (domain: string, mistake: (records: Record<string, RecordSet>) => void = () => {}) => {
    const records: Record<string, RecordSet> = { [domain]: { MX: [{ exchange: 'in.mx.hoster.example', priority: 10 }] } };
    const plan = dnsPlan(config, domain, { serviceHost: SERVICE_HOST, pacc: renderPacc(config, domain) });
    for (const record of plan.records) {
      const name = record.name.replace(/\.$/, '');
      const set = (records[name] ??= {});
      if (record.type === 'CNAME') set.CNAME = record.value.replace(/\.$/, '');
      if (record.type === 'TXT') (set.TXT ??= []).push(record.value.replace(/^"|"$/g, ''));
      if (record.type === 'SRV') {
        const [priority, weight, port, target] = record.value.split(' ');
        (set.SRV ??= []).push({ priority: Number(priority), weight: Number(weight), port: Number(port), target: target!.replace(/\.$/, '') || '.' });
      }
    }
    mistake(records);
    Object.assign(zone, records);
  };
  publish(DOMAINS.good);
  publish(DOMAINS.cname, (r) => (r[`autoconfig.${DOMAINS.cname}`] = { CNAME: 'other-host.example' }));
  publish(DOMAINS.cert, (r) => (r[`autodiscover.${DOMAINS.cert}`] = { A: [EXPIRED_IP] }));
  publish(DOMAINS.srvPort, (r) => (r[`_imaps._tcp.${DOMAINS.srvPort}`] = { SRV: [{ priority: 0, weight: 1, port: 143, target: 'imap.hoster.example' }] }));
  publish(DOMAINS.stale, (r) => (r[`_ua-auto-config.${DOMAINS.stale}`] = { TXT: [`v=UAAC1; a=sha256; d=${createHash('sha256').update('the document before the last change').digest('base64')}`] }));
  publish(DOMAINS.otherMx, (r) => (r[DOMAINS.otherMx] = { MX: [{ exchange: 'in.mx.bigmail.example', priority: 10 }] }));
  const dns = await startFakeDns({ zone });
  closers.push(() => dns.close());

  return {
    dns,
    zone,
    pki,
    providers,
    hoster,
    providerFiles: { 'hoster.example.xml': HOSTER, 'bigmail.example.xml': BIGMAIL },
    env: {
      MAILCONFIG_DNS: `${dns.address}:${dns.port}`,
      MAILCONFIG_ALLOW_NETWORKS: '127.0.1.0/24',
      MAILCONFIG_HOSTNAMES: SERVICE_HOST,
      MAILCONFIG_SERVICE_ADDRESSES: EXPIRED_IP,
      MAILCONFIG_LOOKUP_TIMEOUT: '8',
    },
    store: new StaticProviderStore(new ProviderIndex(providers)),
    paccDigest,
    options: (extra = {}) => ({
      dnsServers: [{ address: dns.address, port: dns.port }],
      allowNetworks: ['127.0.1.0/24'],
      identity: { hostnames: [SERVICE_HOST], addresses: [EXPIRED_IP] },
      timeoutMs: 8000,
      fetchTimeoutMs: 3000,
      probeTimeoutMs: 3000,
      ca: [pki.ca],
      mapPort: (ip, port) => ports.get(`${ip}:${port}`) ?? 9,
      ...extra,
    }),
    close: async () => {
      await Promise.all(closers.map((close) => close()));
    },
  };
}
