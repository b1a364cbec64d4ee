// Every DNS record a domain should publish so that clients find its settings here: the PACC host and digest,
// the Thunderbird autoconfig and Outlook Autodiscover names, RFC 6186 mail SRV, RFC 6764 CalDAV/CardDAV SRV + TXT,
// and RFC 8620 JMAP SRV. Pure: the caller renders the PACC document and passes what it got.
import type { MailConfig, Protocol, Security } from '../settings/model.js';
import { urlService } from '../settings/model.js';
import { rankServers } from '../settings/preference.js';
import type { PaccRendering } from './pacc.js';

export type DnsType = 'CNAME' | 'SRV' | 'TXT';

export interface DnsRecordLine {
  /** Absolute owner name with the trailing dot. */
  name: string;
  ttl: number;
  type: DnsType;
  /** RDATA as written in a zone file (TXT already quoted). */
  value: string;
  /** What the record is for, in a few words. */
  purpose: string;
}

export interface DnsPlan {
  domain: string;
  records: DnsRecordLine[];
  /** Things to know: what was left out and why, and how to change the PACC digest safely. */
  notes: string[];
  /** The PACC digest (base64 SHA-256 of the document), when there is a PACC document. */
  paccDigest?: string;
}

export interface DnsPlanOptions {
  /** The host name of this service (where ua-auto-config, autoconfig and autodiscover point). */
  serviceHost: string;
  ttl?: number | undefined;
  /** What renderPacc gave for this config and domain. */
  pacc: PaccRendering;
}

export const DEFAULT_RECORD_TTL = 3600;

/** The TXT value of `_ua-auto-config.<domain>` for a digest. */
export function paccTxtValue(digest: string): string {
  return `v=UAAC1; a=sha256; d=${digest}`;
}

/** RFC 6186 / RFC 8314 labels, implicit TLS first. Plain-text servers get no record (they should not be found). */
export const MAIL_SRV: readonly { label: string; protocol: Protocol; security: Security }[] = [
  { label: '_imaps._tcp', protocol: 'imap', security: 'tls' },
  { label: '_imap._tcp', protocol: 'imap', security: 'starttls' },
  { label: '_pop3s._tcp', protocol: 'pop3', security: 'tls' },
  { label: '_pop3._tcp', protocol: 'pop3', security: 'starttls' },
  { label: '_submissions._tcp', protocol: 'smtp', security: 'tls' },
  { label: '_submission._tcp', protocol: 'smtp', security: 'starttls' },
];

/** The records for `domain` (an address domain the config answers for), in zone-file order. */
export function dnsPlan(config: MailConfig, domain: string, options: DnsPlanOptions): DnsPlan {
  const ttl = options.ttl ?? DEFAULT_RECORD_TTL;
  const service = absolute(options.serviceHost);
  const records: DnsRecordLine[] = [];
  const notes: string[] = [];
  const add = (label: string, type: DnsType, value: string, purpose: string) => records.push({ name: absolute(label === '' ? domain : `${label}.${domain}`), ttl, type, value, purpose });

  // PACC: the host that serves the document, and the digest that vouches for its bytes.
  add('ua-auto-config', 'CNAME', service, 'PACC document host (its certificate must name this host)');
  let paccDigest: string | undefined;
  if (options.pacc.ok) {
    paccDigest = options.pacc.digest;
    add('_ua-auto-config', 'TXT', quoteTxt(paccTxtValue(paccDigest)), 'PACC digest of the document bytes');
  } else notes.push(`no PACC digest: ${options.pacc.reason}`);
  for (const note of options.pacc.notes) notes.push(`PACC: ${note}`);

  add('autoconfig', 'CNAME', service, 'Thunderbird autoconfig (https://autoconfig.<domain>/mail/config-v1.1.xml)');
  add('autodiscover', 'CNAME', service, 'Outlook Autodiscover (https://autodiscover.<domain>/autodiscover/autodiscover.xml)');
  add('_autodiscover._tcp', 'SRV', `0 0 443 ${service}`, 'Outlook Autodiscover SRV');

  for (const { label, protocol, security } of MAIL_SRV) {
    const best = rankServers(config.servers.filter((s) => s.protocol === protocol && s.security === security))[0];
    if (best) add(label, 'SRV', `0 1 ${best.port} ${absolute(best.host.replaceAll('%EMAILDOMAIN%', domain))}`, `RFC 6186 ${protocol.toUpperCase()} ${security === 'tls' ? 'implicit TLS' : 'STARTTLS'}`);
    else add(label, 'SRV', '0 0 0 .', `RFC 6186: ${protocol.toUpperCase()} ${security === 'tls' ? 'with implicit TLS' : 'with STARTTLS'} not offered`);
  }
  for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
    const plain = config.servers.filter((s) => s.protocol === protocol && s.security === 'none');
    if (plain.length > 0) notes.push(`${protocol.toUpperCase()} without encryption (${plain.map((s) => `${s.host}:${s.port}`).join(', ')}) gets no SRV record`);
  }

  for (const [label, protocol, wellKnown] of [['_caldavs._tcp', 'caldav', '/.well-known/caldav'], ['_carddavs._tcp', 'carddav', '/.well-known/carddav']] as const) {
    const dav = urlService(config, protocol);
    const url = dav ? webUrl(dav.url.replaceAll('%EMAILDOMAIN%', domain)) : undefined;
    if (!dav || !url) {
      add(label, 'SRV', '0 0 0 .', `RFC 6764: ${protocol === 'caldav' ? 'CalDAV' : 'CardDAV'} not offered`);
      if (dav) notes.push(`${protocol} URL ${dav.url} differs per user or is not https: no SRV record`);
      continue;
    }
    add(label, 'SRV', `0 1 ${url.port || 443} ${absolute(url.hostname)}`, `RFC 6764 ${protocol === 'caldav' ? 'CalDAV' : 'CardDAV'} over TLS`);
    add(label, 'TXT', quoteTxt(`path=${url.pathname}`), `RFC 6764 context path`);
    notes.push(`${url.hostname} should answer ${wellKnown} with a redirect (301/303/307) to ${url.pathname}`);
  }

  const jmap = urlService(config, 'jmap');
  const jmapUrl = jmap ? webUrl(jmap.url.replaceAll('%EMAILDOMAIN%', domain)) : undefined;
  if (jmap && jmapUrl) {
    add('_jmap._tcp', 'SRV', `0 1 ${jmapUrl.port || 443} ${absolute(jmapUrl.hostname)}`, 'RFC 8620 JMAP');
    if (jmapUrl.pathname !== '/.well-known/jmap') notes.push(`${jmapUrl.hostname} should answer /.well-known/jmap with a redirect to ${jmapUrl.pathname}`);
  } else add('_jmap._tcp', 'SRV', '0 0 0 .', 'RFC 8620: JMAP not offered');

  // Always said, because nothing in DNS tells when it becomes true: the digest pins the document's exact bytes.
  notes.push(
    `when these settings change, the PACC document and with it the digest change: compute the new TXT first ` +
      `(mailconfig dns ${domain} --dir <changed providers>), publish it next to the old one, wait out the old record's TTL ` +
      `(${ttl} s), then deploy the change and remove the old record`,
  );
  const plan: DnsPlan = { domain, records, notes };
  if (paccDigest) plan.paccDigest = paccDigest;
  return plan;
}

/** Zone-file lines: `name TTL IN TYPE value`, aligned, with the notes as `;` comments after them. */
export function zoneLines(plan: DnsPlan): string[] {
  const width = Math.max(...plan.records.map((r) => r.name.length));
  return [
    `; DNS records for ${plan.domain}`,
    ...plan.records.map((r) => `${r.name.padEnd(width)} ${r.ttl} IN ${r.type.padEnd(5)} ${r.value}`),
    ...plan.notes.map((note) => `; note: ${note}`),
  ];
}

function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

function webUrl(text: string): URL | undefined {
  if (/%EMAIL(ADDRESS|LOCALPART)%/.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A TXT value as zone-file character-strings: quoted, escaped, split every 255 bytes (RFC 1035). */
export function quoteTxt(value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(value.slice(i, i + 255));
  return (parts.length > 0 ? parts : ['']).map((part) => `"${part.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(' ');
}
