// Turns the facts about a domain into the report: one status per check, why (a finding: message key + parameters,
// rendered in English here), the fix, and the zone lines. Pure: no network, no clock; the same facts always give the
// same report. Each check waits only for the facts it reads, so it is reported (onCheck) as soon as those arrive.
import { verifyDigest } from '../discovery/pacc.js';
import { poxServers as poxChoice } from '../formats/autodiscover.js';
import { dnsPlan, type DnsPlan, type DnsRecordLine } from '../formats/dns-records.js';
import { renderPacc } from '../formats/pacc.js';
import { parseProvider } from '../providers/parse.js';
import { providerDisplayName, urlService, type MailConfig } from '../settings/model.js';
import { childrenNamed, firstChild, parseXml, XmlError } from '../xml/parse.js';
import { finding as f, renderFinding, type Finding } from './messages.js';
import { allFacts, known } from './pending.js';
import { CHECK_IDS, type Check, type CheckFacts, type CheckId, type CheckReport, type NameFacts, type PendingFacts, type ServiceIdentity, type SrvFacts, type TxtFacts, type WebFacts } from './types.js';

type Plan = DnsPlan | undefined;
type Runner = (pending: PendingFacts, plan: Promise<Plan>) => Promise<Check>;

/** A check that reads the facts `needs` (and the record plan). */
function when<K extends keyof CheckFacts>(needs: readonly K[], run: (facts: Pick<CheckFacts, K>, plan: Plan) => Check): Runner {
  return async (pending, plan) => {
    const facts = await known(pending, needs);
    return run(facts, await plan);
  };
}

const RUNNERS: Record<CheckId, Runner> = {
  mx: when(['domain', 'mx', 'expected'], mxCheck),
  autoconfig: when(['domain', 'expected', 'identity', 'autoconfigName', 'autoconfigFile'], autoconfigCheck),
  autodiscover: when(['domain', 'expected', 'identity', 'autodiscoverName', 'autodiscoverSrv', 'autodiscoverPox'], autodiscoverCheck),
  srv: when(['domain', 'srv'], srvCheck),
  pacc: when(['domain', 'identity', 'paccName', 'paccTxt', 'paccDocument'], paccCheck),
  caldav: when(['domain', 'expected', 'srv', 'txt'], (facts, plan) => davCheck(facts, plan, 'caldav')),
  carddav: when(['domain', 'expected', 'srv', 'txt'], (facts, plan) => davCheck(facts, plan, 'carddav')),
  servers: when(['domain', 'expected', 'servers'], serversCheck),
};

/**
 * The report. `onCheck` sees each check as soon as it is decided (in the order they finish); the report lists them
 * in the fixed order of CHECK_IDS.
 */
export async function evaluate(pending: PendingFacts, onCheck?: (check: Check) => void): Promise<CheckReport> {
  const plan = known(pending, ['domain', 'expected', 'identity']).then(planOf);
  plan.catch(() => undefined); // seen by the checks that await it
  const checks = await Promise.all(
    CHECK_IDS.map(async (id) => {
      const check = await RUNNERS[id](pending, plan);
      onCheck?.(check);
      return check;
    }),
  );
  const facts = await allFacts(pending);
  const records = await plan;
  return { domain: facts.domain, checks, records: records ? zoneWithMarks(records, facts) : `; ${facts.domain} is not known to this service: no records to publish\n` };
}

function planOf({ domain, expected, identity }: Pick<CheckFacts, 'domain' | 'expected' | 'identity'>): Plan {
  if (!expected) return undefined;
  const serviceHost = identity.hostnames[0] ?? `mailconfig.${domain}`;
  return dnsPlan(expected, domain, { serviceHost, pacc: renderPacc(expected, domain) });
}

const check = (id: CheckId, status: Check['status'], why: Finding, todo?: Finding): Check => {
  const result: Check = { id, status, message: renderFinding(why), fix: todo ? renderFinding(todo) : '', why };
  if (todo) result.todo = todo;
  return result;
};
const unknown = (id: CheckId, domain: string) => check(id, 'info', f('unknown.why', { domain }), f('unknown.fix'));
const publish = (record: DnsRecordLine | undefined) => (record ? f('fix.publish', { line: zoneLine(record) }) : undefined);

function mxCheck(facts: Pick<CheckFacts, 'domain' | 'mx' | 'expected'>): Check {
  const { mx, domain, expected } = facts;
  if (mx.error) return check('mx', 'fail', f('mx.unreadable', { domain, error: mx.error }), f('mx.unreadable.fix'));
  if (mx.nxdomain) return check('mx', 'fail', f('mx.nxdomain', { domain }), f('mx.nxdomain.fix'));
  const hosts = mx.records.map((r) => r.exchange).filter((h) => h !== '' && h !== '.');
  const mxDomain = expected?.mxDomains[0];
  if (hosts.length === 0) return check('mx', 'fail', f('mx.none', { domain }), mxDomain ? f('mx.none.fixUnder', { mxDomain }) : f('mx.none.fix'));
  const host = hosts[0]!;
  if (!expected) return check('mx', 'info', f('mx.unknownHost', { domain, host }), f('mx.unknownHost.fix', { domain }));
  const provider = providerDisplayName(expected);
  if (mx.providerId === undefined) return check('mx', 'warn', f('mx.notProviderHost', { domain, host, provider }), f('mx.notProviderHost.fix', { host, provider, file: `${expected.id}.xml` }));
  if (mx.providerId !== expected.id) {
    const other = mx.providerName ?? mx.providerId;
    return check('mx', 'fail', f('mx.otherProvider', { domain, host, other, provider }), f('mx.otherProvider.fix', { domain, other, provider }));
  }
  return check('mx', 'ok', f('mx.ok', { domain, host, provider }));
}

/** Whether a name reaches this service: a CNAME to one of its names, or only its addresses. */
function pointsHere(name: NameFacts, identity: ServiceIdentity): { ok: true } | { ok: false; why: Finding } {
  const { hostnames, addresses } = identity;
  if (name.cname && hostnames.includes(name.cname)) return { ok: true };
  if (name.cname) {
    const params = { name: name.name, target: name.cname, hostnames: hostnames.join(', ') };
    return { ok: false, why: f(hostnames.length > 0 ? 'name.cnameElsewhere' : 'name.cnameElsewhereNoHostnames', params) };
  }
  if (name.error) return { ok: false, why: f('name.unresolved', { name: name.name, error: name.error }) };
  if (name.nxdomain || (name.addresses.length === 0 && name.refused.length === 0)) return { ok: false, why: f('name.missing', { name: name.name }) };
  const foreign = [...name.addresses, ...name.refused].filter((a) => !addresses.includes(a));
  if (foreign.length === 0) return { ok: true };
  return { ok: false, why: f('name.foreign', { name: name.name, addresses: foreign.join(', ') }) };
}

function webProblem(web: WebFacts | undefined, name: string): Finding | undefined {
  if (!web) return f('web.noAddress', { name });
  if (web.ok) return undefined;
  if (web.failure === 'certificate') return f('web.certificate', { name, error: web.error });
  return f('web.noAnswer', { name, error: web.error });
}

const pointsHereBut = (name: string, problem: Finding) => f('web.pointsHereBut', { name, problem });

/** `imap host:port` for every server, sorted: what a client would be told. */
function serverSet(config: MailConfig, domain: string): string[] {
  return [...new Set(config.servers.map((s) => `${s.protocol} ${s.host.replaceAll('%EMAILDOMAIN%', domain).toLowerCase()}:${s.port}`))].sort();
}

function autoconfigCheck(facts: Pick<CheckFacts, 'domain' | 'expected' | 'identity' | 'autoconfigName' | 'autoconfigFile'>, plan: Plan): Check {
  const { domain, expected } = facts;
  if (!expected || !plan) return unknown('autoconfig', domain);
  const name = `autoconfig.${domain}`;
  const fix = publish(plan.records.find((r) => r.name === `${name}.`));
  const here = pointsHere(facts.autoconfigName, facts.identity);
  if (!here.ok) return check('autoconfig', 'fail', f('autoconfig.notFound', { why: here.why }), fix);
  const problem = webProblem(facts.autoconfigFile, name);
  if (problem) return check('autoconfig', 'fail', pointsHereBut(name, problem), f('web.certificate.fix', { name }));
  const file = facts.autoconfigFile as Extract<WebFacts, { ok: true }>;
  const parsed = parseProvider(file.body, { file: file.url });
  if (!parsed.config) return check('autoconfig', 'fail', f('autoconfig.invalidFile', { url: file.url }), f('web.otherServer.fix', { name }));
  const want = serverSet(expected, domain);
  const got = serverSet(parsed.config, domain);
  if (want.join() !== got.join()) return check('autoconfig', 'fail', f('autoconfig.otherServers', { url: file.url, got: got.join(', '), want: want.join(', ') }), fix);
  return check('autoconfig', 'ok', f('autoconfig.ok', { name }));
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

function autodiscoverCheck(facts: Pick<CheckFacts, 'domain' | 'expected' | 'identity' | 'autodiscoverName' | 'autodiscoverSrv' | 'autodiscoverPox'>): Check {
  const { domain, expected, identity } = facts;
  if (!expected) return unknown('autodiscover', domain);
  const name = `autodiscover.${domain}`;
  const host = identity.hostnames[0] ?? 'this-service.example';
  const srv = facts.autodiscoverSrv.records.filter((r) => r.target !== '.');
  const srvHere = srv.find((r) => identity.hostnames.includes(r.target));
  const here = pointsHere(facts.autodiscoverName, identity);
  const fix = f('autodiscover.fix', { name, host, domain });
  if (!here.ok) {
    if (srvHere && srvHere.port === 443) return check('autodiscover', 'ok', f('autodiscover.viaSrv', { domain, why: here.why }));
    if (srvHere) return check('autodiscover', 'fail', f('autodiscover.srvPort', { domain, target: srvHere.target, port: srvHere.port }), f('autodiscover.srvPort.fix', { domain, host }));
    return check('autodiscover', 'fail', f('autodiscover.notFound', { why: here.why }), fix);
  }
  const problem = webProblem(facts.autodiscoverPox, name);
  if (problem) return check('autodiscover', 'fail', pointsHereBut(name, problem), f('web.certificate.fix', { name }));
  const got = poxServers((facts.autodiscoverPox as Extract<WebFacts, { ok: true }>).body);
  if (!got) return check('autodiscover', 'fail', f('autodiscover.noSettings', { name }), f('web.otherServer.fix', { name }));
  const want = serverSet({ ...expected, servers: poxChoice(expected) }, domain);
  if (want.join() !== got.join()) return check('autodiscover', 'fail', f('autodiscover.otherServers', { name, got: got.join(', '), want: want.join(', ') }), fix);
  return check('autodiscover', 'ok', f('autodiscover.ok', { name }));
}

const owner = (record: DnsRecordLine) => record.name.replace(/\.$/, '');

function srvCheck(facts: Pick<CheckFacts, 'domain' | 'srv'>, plan: Plan): Check {
  if (!plan) return unknown('srv', facts.domain);
  const wanted = plan.records.filter((r) => r.type === 'SRV' && /^_(imaps?|pop3s?|submissions?)\._tcp\./.test(r.name));
  const wrong: Finding[] = [];
  const missing: string[] = [];
  for (const record of wanted) {
    const state = srvState(record, facts.srv[owner(record)]);
    if (state.kind === 'add') missing.push(owner(record));
    if (state.kind === 'change') wrong.push(f('srv.wrongItem', { name: owner(record), now: state.now, want: record.value }));
  }
  if (wrong.length > 0) return check('srv', 'fail', f('srv.wrong', { wrong }), f('srv.wrong.fix'));
  if (missing.length === wanted.length) return check('srv', 'warn', f('srv.none'), f('srv.none.fix'));
  if (missing.length > 0) return check('srv', 'warn', f('srv.some', { names: missing.join(', ') }), f('srv.some.fix'));
  return check('srv', 'ok', f('srv.ok'));
}

function paccCheck(facts: Pick<CheckFacts, 'domain' | 'identity' | 'paccName' | 'paccTxt' | 'paccDocument'>, plan: Plan): Check {
  const { domain } = facts;
  if (!plan) return unknown('pacc', domain);
  const name = `ua-auto-config.${domain}`;
  const txtName = `_ua-auto-config.${domain}`;
  const txtRecord = plan.records.find((r) => r.name === `${txtName}.`);
  if (!plan.paccDigest || !txtRecord) return check('pacc', 'info', f('pacc.impossible', { reason: plan.notes.find((n) => n.startsWith('no PACC')) ?? 'see notes' }));
  const here = pointsHere(facts.paccName, facts.identity);
  const uaac = facts.paccTxt.records.filter((t) => /(^|;)\s*v\s*=\s*UAAC/i.test(t));
  if (!here.ok && uaac.length === 0) return check('pacc', 'warn', f('pacc.notFound', { why: here.why, txtName }), f('pacc.notFound.fix', { name, txtName }));
  if (!here.ok) return check('pacc', 'fail', f('pacc.txtOnly', { txtName, why: here.why }), f('pacc.txtOnly.fix', { name }));
  const problem = webProblem(facts.paccDocument, name);
  if (problem) return check('pacc', 'fail', pointsHereBut(name, problem), f('web.certificate.fix', { name }));
  const body = Buffer.from((facts.paccDocument as Extract<WebFacts, { ok: true }>).body, 'utf8');
  if (uaac.length === 0) return check('pacc', 'warn', f('pacc.noTxt', { name, txtName }), publish(txtRecord));
  const verified = verifyDigest(body, uaac.map((t) => [t]));
  if (!verified.verified) return check('pacc', 'fail', f('pacc.stale', { txtName, name }), f('pacc.stale.fix', { line: zoneLine(txtRecord) }));
  return check('pacc', 'ok', f('pacc.ok', { name, txtName }));
}

function davCheck(facts: Pick<CheckFacts, 'domain' | 'expected' | 'srv' | 'txt'>, plan: Plan, protocol: 'caldav' | 'carddav'): Check {
  const { domain, expected } = facts;
  const what = protocol === 'caldav' ? 'CalDAV' : 'CardDAV';
  if (!plan || !expected) return unknown(protocol, domain);
  if (!urlService(expected, protocol)) return check(protocol, 'info', f('dav.notOffered', { provider: providerDisplayName(expected), what }));
  const label = protocol === 'caldav' ? '_caldavs._tcp' : '_carddavs._tcp';
  const records = plan.records.filter((r) => r.name === `${label}.${domain}.`);
  const states = records.map((r) => ({ r, s: r.type === 'SRV' ? srvState(r, facts.srv[owner(r)]) : txtState(r, facts.txt[owner(r)]) }));
  const wrong = states.flatMap((x) => (x.s.kind === 'change' ? [f('dav.wrongItem', { type: x.r.type, now: x.s.now, want: x.r.value })] : []));
  if (wrong.length > 0) return check(protocol, 'fail', f('dav.wrong', { what, wrong }), f('dav.wrong.fix'));
  const missing = states.filter((x) => x.s.kind === 'add');
  if (missing.length > 0) {
    const why = f('dav.missing', { what, types: missing.map((x) => x.r.type).join(', '), name: `${label}.${domain}` });
    return check(protocol, 'warn', why, f('dav.missing.fix', { lines: missing.map((x) => zoneLine(x.r)).join(' / ') }));
  }
  return check(protocol, 'ok', f('dav.ok', { what }));
}

function serversCheck(facts: Pick<CheckFacts, 'domain' | 'expected' | 'servers'>): Check {
  if (!facts.expected) return unknown('servers', facts.domain);
  const total = facts.servers.length;
  const bad = facts.servers.flatMap((s) => (s.ok ? [] : [f('servers.badItem', { label: s.label, problem: s.problem ?? '' })]));
  if (total === 0) return check('servers', 'info', f('servers.none'));
  if (bad.length > 0) return check('servers', 'fail', f('servers.bad', { bad: bad.length, total, problems: bad }), f('servers.bad.fix'));
  return check('servers', 'ok', f('servers.ok', { total, labels: facts.servers.map((s) => s.label).join(', ') }));
}

// ---------------------------------------------------------------- zone lines

type RecordState = { kind: 'ok' } | { kind: 'add' } | { kind: 'change'; now: string };

const srvText = (r: { priority: number; weight: number; port: number; target: string }) => `${r.priority} ${r.weight} ${r.port} ${r.target === '.' ? '.' : `${r.target}.`}`;

/** Whether what DNS says matches a planned record. */
function recordState(record: DnsRecordLine, facts: CheckFacts): RecordState {
  const name = owner(record);
  if (record.type === 'CNAME') return cnameState([facts.autoconfigName, facts.autodiscoverName, facts.paccName].find((n) => n.name === name), facts.identity);
  if (record.type === 'SRV') return srvState(record, name === `_autodiscover._tcp.${facts.domain}` ? facts.autodiscoverSrv : facts.srv[name]);
  return txtState(record, name === `_ua-auto-config.${facts.domain}` ? facts.paccTxt : facts.txt[name]);
}

function cnameState(name: NameFacts | undefined, identity: ServiceIdentity): RecordState {
  if (!name) return { kind: 'add' };
  if (pointsHere(name, identity).ok) return { kind: 'ok' };
  if (name.cname) return { kind: 'change', now: `CNAME ${name.cname}.` };
  if (name.addresses.length > 0 || name.refused.length > 0) return { kind: 'change', now: `A/AAAA ${[...name.addresses, ...name.refused].join(' ')}` };
  return { kind: 'add' };
}

/** SRV compares target and port (priority/weight are the domain's choice). */
function srvState(record: DnsRecordLine, srv: SrvFacts | undefined): RecordState {
  const records = srv?.records ?? [];
  if (records.length === 0) return { kind: 'add' };
  const [, , port, target] = record.value.split(' ');
  const want = (target ?? '').replace(/\.$/, '') || '.';
  if (records.some((r) => r.target === want && (want === '.' || String(r.port) === port))) return { kind: 'ok' };
  return { kind: 'change', now: records.map(srvText).join(', ') };
}

function txtState(record: DnsRecordLine, txt: TxtFacts | undefined): RecordState {
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
