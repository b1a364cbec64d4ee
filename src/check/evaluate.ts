// Turns the facts about a domain into the report: one status per check, one sentence why, the fix, and the zone
// lines. Pure: no network, no clock; the same facts always give the same report.
import { verifyDigest } from '../discovery/pacc.js';
import { poxServers as poxChoice } from '../formats/autodiscover.js';
import { dnsPlan, type DnsPlan, type DnsRecordLine } from '../formats/dns-records.js';
import { renderPacc } from '../formats/pacc.js';
import { parseProvider } from '../providers/parse.js';
import { providerDisplayName, urlService, type MailConfig } from '../settings/model.js';
import { childrenNamed, firstChild, parseXml, XmlError } from '../xml/parse.js';
import type { Check, CheckFacts, CheckReport, NameFacts, WebFacts } from './types.js';

export function evaluate(facts: CheckFacts): CheckReport {
  const { domain, expected } = facts;
  const serviceHost = facts.identity.hostnames[0] ?? `mailconfig.${domain}`;
  const plan = expected ? dnsPlan(expected, domain, { serviceHost, pacc: renderPacc(expected, domain) }) : undefined;
  const checks: Check[] = [
    mxCheck(facts),
    autoconfigCheck(facts, plan),
    autodiscoverCheck(facts),
    srvCheck(facts, plan),
    paccCheck(facts, plan),
    davCheck(facts, plan, 'caldav'),
    davCheck(facts, plan, 'carddav'),
    serversCheck(facts),
  ];
  return { domain, checks, records: plan ? zoneWithMarks(plan, facts) : `; ${domain} is not known to this service: no records to publish\n` };
}

const check = (id: Check['id'], status: Check['status'], message: string, fix = ''): Check => ({ id, status, message, fix });
const unknown = (id: Check['id'], domain: string) =>
  check(id, 'info', `${domain} is neither in the provider database nor hosted (by MX) by a provider in it, so there is nothing to compare with.`, `Add the domain to its provider file (mailconfig providers add, or <domain> in the file).`);

function mxCheck(facts: CheckFacts): Check {
  const { mx, domain, expected } = facts;
  if (mx.error) return check('mx', 'fail', `The MX records of ${domain} could not be read (${mx.error}).`, `Make sure the domain's name servers answer.`);
  if (mx.nxdomain) return check('mx', 'fail', `${domain} does not exist in DNS.`, `Register the domain or fix the name servers' delegation.`);
  const hosts = mx.records.map((r) => r.exchange).filter((h) => h !== '' && h !== '.');
  if (hosts.length === 0) return check('mx', 'fail', `${domain} has no MX records, so no mail reaches it.`, expected?.mxDomains[0] ? `Add the provider's MX records (their mail hosts are under ${expected.mxDomains[0]}).` : `Add the provider's MX records.`);
  const best = hosts[0]!;
  if (!expected) return check('mx', 'info', `Mail for ${domain} goes to ${best}, which no provider in the database is known for.`, `Add the provider with <domain purpose="mx"> for its MX host, or add ${domain} to its file.`);
  if (mx.providerId === undefined) {
    return check('mx', 'warn', `Mail for ${domain} goes to ${best}, which is not a known MX host of ${providerDisplayName(expected)}.`, `If ${best} belongs to ${providerDisplayName(expected)}, add <domain purpose="mx"> for it to ${expected.id}.xml; otherwise point the MX records at ${providerDisplayName(expected)}.`);
  }
  if (mx.providerId !== expected.id) {
    return check('mx', 'fail', `Mail for ${domain} goes to ${best} (${mx.providerName}), but this service hands out the settings of ${providerDisplayName(expected)}.`, `Point the MX records at ${providerDisplayName(expected)}'s mail hosts, or move ${domain} to the provider file of ${mx.providerName}.`);
  }
  return check('mx', 'ok', `Mail for ${domain} goes to ${best}, a mail host of ${providerDisplayName(expected)}.`);
}

/** Whether a name reaches this service: a CNAME to one of its names, or only its addresses. */
function pointsHere(name: NameFacts, facts: CheckFacts): { ok: true } | { ok: false; why: string } {
  const { hostnames, addresses } = facts.identity;
  if (name.cname && hostnames.includes(name.cname)) return { ok: true };
  if (name.cname) return { ok: false, why: `${name.name} is a CNAME for ${name.cname}, not for this service (${hostnames.join(', ') || 'no MAILCONFIG_HOSTNAMES set'})` };
  if (name.error) return { ok: false, why: `${name.name} could not be resolved (${name.error})` };
  if (name.nxdomain || (name.addresses.length === 0 && name.refused.length === 0)) return { ok: false, why: `${name.name} does not exist` };
  const all = [...name.addresses, ...name.refused];
  const foreign = all.filter((a) => !addresses.includes(a));
  if (foreign.length === 0) return { ok: true };
  return { ok: false, why: `${name.name} points at ${foreign.join(', ')}, which is not this service` };
}

function webProblem(web: WebFacts | undefined, name: string): string | undefined {
  if (!web) return `${name} has no address to connect to`;
  if (web.ok) return undefined;
  if (web.failure === 'certificate') return `the certificate of https://${name}/ is not valid for the name (${web.error})`;
  return `https://${name}/ did not answer (${web.error})`;
}

/** `imap host:port` for every server, sorted: what a client would be told. */
function serverSet(config: MailConfig, domain: string): string[] {
  return [...new Set(config.servers.map((s) => `${s.protocol} ${s.host.replaceAll('%EMAILDOMAIN%', domain).toLowerCase()}:${s.port}`))].sort();
}

function autoconfigCheck(facts: CheckFacts, plan: DnsPlan | undefined): Check {
  const { domain, expected } = facts;
  if (!expected || !plan) return unknown('autoconfig', domain);
  const name = `autoconfig.${domain}`;
  const record = plan.records.find((r) => r.name === `${name}.`);
  const fix = record ? `Publish: ${zoneLine(record)}` : '';
  const here = pointsHere(facts.autoconfigName, facts);
  if (!here.ok) return check('autoconfig', 'fail', `Thunderbird will not find the settings: ${here.why}.`, fix);
  const problem = webProblem(facts.autoconfigFile, name);
  if (problem) return check('autoconfig', 'fail', `${name} points here, but ${problem}.`, `Get a certificate for ${name} on this service (e.g. ACME), then check again.`);
  const file = facts.autoconfigFile as Extract<WebFacts, { ok: true }>;
  const parsed = parseProvider(file.body, { file: file.url });
  if (!parsed.config) return check('autoconfig', 'fail', `${file.url} did not serve a valid autoconfig file.`, `Make ${name} reach this service, not another web server.`);
  const want = serverSet(expected, domain);
  const got = serverSet(parsed.config, domain);
  if (want.join() !== got.join()) return check('autoconfig', 'fail', `${file.url} names other servers (${got.join(', ')}) than this service would (${want.join(', ')}).`, fix);
  return check('autoconfig', 'ok', `${name} reaches this service over HTTPS with a valid certificate and serves the expected servers.`);
}

/** `imap host:port` for every Protocol of a POX answer; undefined when it is no settings answer. */
function poxServers(body: string): string[] | undefined {
  try {
    const root = parseXml(body);
    const account = firstChild(firstChild(root, 'Response') ?? root, 'Account');
    if (!account) return undefined;
    const protocols = childrenNamed(account, 'Protocol').map((p) => {
      const field = (n: string) => firstChild(p, n)?.text.trim() ?? '';
      return `${field('Type').toLowerCase()} ${field('Server').toLowerCase()}:${field('Port')}`;
    });
    return [...new Set(protocols)].sort();
  } catch (error) {
    if (error instanceof XmlError) return undefined;
    throw error;
  }
}

function autodiscoverCheck(facts: CheckFacts): Check {
  const { domain, expected } = facts;
  if (!expected) return unknown('autodiscover', domain);
  const name = `autodiscover.${domain}`;
  const host = facts.identity.hostnames[0] ?? 'this-service.example';
  const srv = facts.autodiscoverSrv.records.filter((r) => r.target !== '.');
  const srvHere = srv.find((r) => facts.identity.hostnames.includes(r.target));
  const here = pointsHere(facts.autodiscoverName, facts);
  const fix = `Publish: ${name}. 3600 IN CNAME ${host}. (or _autodiscover._tcp.${domain}. 3600 IN SRV 0 0 443 ${host}.)`;
  if (!here.ok) {
    if (srvHere && srvHere.port === 443) return check('autodiscover', 'ok', `Outlook finds this service through _autodiscover._tcp.${domain} (${here.why}).`);
    if (srvHere) return check('autodiscover', 'fail', `_autodiscover._tcp.${domain} points at ${srvHere.target} on port ${srvHere.port}, but Outlook only asks port 443.`, `Change it to: _autodiscover._tcp.${domain}. 3600 IN SRV 0 0 443 ${host}.`);
    return check('autodiscover', 'fail', `Outlook will not find the settings: ${here.why}, and no _autodiscover._tcp SRV record points here.`, fix);
  }
  const problem = webProblem(facts.autodiscoverPox, name);
  if (problem) return check('autodiscover', 'fail', `${name} points here, but ${problem}.`, `Get a valid certificate for ${name} on this service (e.g. ACME), then check again.`);
  const got = poxServers((facts.autodiscoverPox as Extract<WebFacts, { ok: true }>).body);
  if (!got) return check('autodiscover', 'fail', `${name} did not answer the Autodiscover request with settings.`, `Make ${name} reach this service, not another web server.`);
  const want = serverSet({ ...expected, servers: poxChoice(expected) }, domain);
  if (want.join() !== got.join()) return check('autodiscover', 'fail', `${name} answers with other servers (${got.join(', ')}) than this service would (${want.join(', ')}).`, fix);
  return check('autodiscover', 'ok', `${name} reaches this service with a valid certificate and answers with the expected servers.`);
}

function srvCheck(facts: CheckFacts, plan: DnsPlan | undefined): Check {
  if (!plan) return unknown('srv', facts.domain);
  const wanted = plan.records.filter((r) => r.type === 'SRV' && /^_(imaps?|pop3s?|submissions?)\._tcp\./.test(r.name));
  const wrong: string[] = [];
  const missing: string[] = [];
  for (const record of wanted) {
    const state = recordState(record, facts);
    if (state.kind === 'add') missing.push(record.name.replace(/\.$/, ''));
    if (state.kind === 'change') wrong.push(`${record.name.replace(/\.$/, '')} says ${state.now}, should be ${record.value}`);
  }
  if (wrong.length > 0) return check('srv', 'fail', `Clients that use RFC 6186 SRV records are sent to the wrong place: ${wrong.join('; ')}.`, `Change the SRV records as in the zone lines below.`);
  if (missing.length === wanted.length) return check('srv', 'warn', `No RFC 6186 SRV records are published; clients that rely on them (and on "." for what is not offered) guess instead.`, `Add the SRV records from the zone lines below.`);
  if (missing.length > 0) return check('srv', 'warn', `Some RFC 6186 SRV records are missing: ${missing.join(', ')}.`, `Add the missing SRV records from the zone lines below.`);
  return check('srv', 'ok', `Every RFC 6186 SRV record names the right host and port, and "." for what is not offered.`);
}

function paccCheck(facts: CheckFacts, plan: DnsPlan | undefined): Check {
  const { domain } = facts;
  if (!plan) return unknown('pacc', domain);
  const name = `ua-auto-config.${domain}`;
  const txtName = `_ua-auto-config.${domain}`;
  const txtRecord = plan.records.find((r) => r.name === `${txtName}.`);
  if (!plan.paccDigest || !txtRecord) return check('pacc', 'info', `These settings cannot be written as a PACC document (${plan.notes.find((n) => n.startsWith('no PACC')) ?? 'see notes'}).`);
  const here = pointsHere(facts.paccName, facts);
  const uaac = facts.paccTxt.records.filter((t) => /(^|;)\s*v\s*=\s*UAAC/i.test(t));
  if (!here.ok && uaac.length === 0) return check('pacc', 'warn', `PACC clients will not find the settings: ${here.why}, and ${txtName} has no UAAC1 record.`, `Publish the ${name} CNAME and the ${txtName} TXT record from the zone lines below.`);
  if (!here.ok) return check('pacc', 'fail', `${txtName} is published, but ${here.why}.`, `Publish the ${name} CNAME from the zone lines below.`);
  const problem = webProblem(facts.paccDocument, name);
  if (problem) return check('pacc', 'fail', `${name} points here, but ${problem}.`, `Get a valid certificate for ${name} on this service, then check again.`);
  const body = Buffer.from((facts.paccDocument as Extract<WebFacts, { ok: true }>).body, 'utf8');
  if (uaac.length === 0) return check('pacc', 'warn', `${name} serves the PACC document, but ${txtName} has no UAAC1 TXT record, so clients ignore it.`, `Publish: ${zoneLine(txtRecord)}`);
  const verified = verifyDigest(body, uaac.map((t) => [t]));
  if (!verified.verified) return check('pacc', 'fail', `The digest in ${txtName} does not match the document ${name} serves (it is stale or mistyped), so PACC clients reject it.`, `Replace the TXT record with: ${zoneLine(txtRecord)}`);
  return check('pacc', 'ok', `${name} serves the PACC document and ${txtName} carries its digest.`);
}

function davCheck(facts: CheckFacts, plan: DnsPlan | undefined, protocol: 'caldav' | 'carddav'): Check {
  const { domain, expected } = facts;
  const what = protocol === 'caldav' ? 'CalDAV' : 'CardDAV';
  if (!plan || !expected) return unknown(protocol, domain);
  if (!urlService(expected, protocol)) return check(protocol, 'info', `${providerDisplayName(expected)} offers no ${what}, so there is nothing to check.`);
  const label = protocol === 'caldav' ? '_caldavs._tcp' : '_carddavs._tcp';
  const records = plan.records.filter((r) => r.name === `${label}.${domain}.`);
  const states = records.map((r) => ({ r, s: recordState(r, facts) }));
  const wrong = states.filter((x) => x.s.kind === 'change');
  if (wrong.length > 0) return check(protocol, 'fail', `The RFC 6764 ${what} records point elsewhere: ${wrong.map((x) => `${x.r.type} says ${x.s.kind === 'change' ? x.s.now : ''}, should be ${x.r.value}`).join('; ')}.`, `Change them as in the zone lines below.`);
  const missing = states.filter((x) => x.s.kind === 'add');
  if (missing.length > 0) return check(protocol, 'warn', `The RFC 6764 ${what} records are missing (${missing.map((x) => x.r.type).join(', ')} at ${label}.${domain}), so phones and calendar apps must be set up by hand.`, `Add: ${missing.map((x) => zoneLine(x.r)).join(' / ')}`);
  return check(protocol, 'ok', `The RFC 6764 ${what} SRV and TXT records name the right server and path.`);
}

function serversCheck(facts: CheckFacts): Check {
  if (!facts.expected) return unknown('servers', facts.domain);
  const bad = facts.servers.filter((s) => !s.ok);
  if (facts.servers.length === 0) return check('servers', 'info', `The settings name no fixed servers to try (host names depend on the address).`);
  if (bad.length > 0) return check('servers', 'fail', `${bad.length} of ${facts.servers.length} advertised servers do not work: ${bad.map((s) => `${s.label}: ${s.problem}`).join('; ')}.`, `Fix the servers (certificate, listener) or correct the provider file.`);
  return check('servers', 'ok', `All ${facts.servers.length} advertised servers answer with valid TLS and greet (${facts.servers.map((s) => s.label).join(', ')}).`);
}

// ---------------------------------------------------------------- zone lines

type RecordState = { kind: 'ok' } | { kind: 'add' } | { kind: 'change'; now: string };

const srvText = (r: { priority: number; weight: number; port: number; target: string }) => `${r.priority} ${r.weight} ${r.port} ${r.target === '.' ? '.' : `${r.target}.`}`;

/** Whether what DNS says matches a planned record. SRV compares target and port (priority/weight are the domain's choice). */
function recordState(record: DnsRecordLine, facts: CheckFacts): RecordState {
  const owner = record.name.replace(/\.$/, '');
  if (record.type === 'CNAME') {
    const name = [facts.autoconfigName, facts.autodiscoverName, facts.paccName].find((n) => n.name === owner);
    if (!name) return { kind: 'add' };
    const here = pointsHere(name, facts);
    if (here.ok) return { kind: 'ok' };
    if (name.cname) return { kind: 'change', now: `CNAME ${name.cname}.` };
    if (name.addresses.length > 0 || name.refused.length > 0) return { kind: 'change', now: `A/AAAA ${[...name.addresses, ...name.refused].join(' ')}` };
    return { kind: 'add' };
  }
  if (record.type === 'SRV') {
    const srv = owner === `_autodiscover._tcp.${facts.domain}` ? facts.autodiscoverSrv : facts.srv[owner];
    const records = srv?.records ?? [];
    if (records.length === 0) return { kind: 'add' };
    const [, , port, target] = record.value.split(' ');
    const want = (target ?? '').replace(/\.$/, '') || '.';
    if (records.some((r) => r.target === want && (want === '.' || String(r.port) === port))) return { kind: 'ok' };
    return { kind: 'change', now: records.map(srvText).join(', ') };
  }
  const txt = owner === `_ua-auto-config.${facts.domain}` ? facts.paccTxt : facts.txt[owner];
  const values = txt?.records ?? [];
  const want = unquote(record.value);
  if (values.includes(want)) return { kind: 'ok' };
  const related = values.filter((v) => (want.startsWith('path=') ? v.startsWith('path=') : /v\s*=\s*UAAC/i.test(v)));
  return related.length > 0 ? { kind: 'change', now: related.map((v) => JSON.stringify(v)).join(', ') } : { kind: 'add' };
}

function unquote(value: string): string {
  return [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1')).join('');
}

function zoneLine(record: DnsRecordLine): string {
  return `${record.name} ${record.ttl} IN ${record.type} ${record.value}`;
}

/** Every record to publish, as zone-file lines, each after a comment saying whether it is there, missing or wrong. */
function zoneWithMarks(plan: DnsPlan, facts: CheckFacts): string {
  const lines = [`; DNS records for ${plan.domain} (check: ok = published, add = missing, change = published differently)`];
  for (const record of plan.records) {
    const state = recordState(record, facts);
    lines.push(state.kind === 'change' ? `; change (now ${state.now}): ${record.purpose}` : `; ${state.kind}: ${record.purpose}`);
    lines.push(zoneLine(record));
  }
  for (const note of plan.notes) lines.push(`; note: ${note}`);
  return `${lines.join('\n')}\n`;
}
