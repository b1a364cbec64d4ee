// Turns what the steps found into ONE MailConfig. A file someone wrote (the domain's autoconfig, or the provider
// database reached through MX) is taken whole; otherwise the servers come from SRV records confirmed by a probe
// and from probing alone, each with its evidence. Ranking: database > verified PACC > autoconfig > the domain's
// Outlook Autodiscover > MX > SRV > probing.
import { PROTOCOLS, type AuthMethod, type Confidence, type MailConfig, type Protocol, type Provenance, type ServerSettings, type SourceKind, type UrlService } from '../settings/model.js';
import { rankServers, SOURCE_RANK } from '../settings/preference.js';
import type { MxFinding } from './mx.js';
import { advertisesStartTls, deprecatedTls, deriveAuth } from './probe/capabilities.js';
import type { ProbeAttempt } from './probing.js';
import { isInside, type SrvFinding, type SrvTarget } from './srv.js';
import type { ProbeResult } from './types.js';

export interface Findings {
  /** A PACC document whose bytes a `_ua-auto-config` TXT digest vouches for: ranks above everything else. */
  pacc?: MailConfig | undefined;
  autoconfig?: MailConfig | undefined;
  /** The domain's own Outlook Autodiscover answer (always https): ranks right after its autoconfig file. */
  autodiscover?: MailConfig | undefined;
  mx?: MxFinding | undefined;
  /** The MX domain's autoconfig file, when the database did not know the MX host. */
  mxAutoconfig?: MailConfig | undefined;
  srv?: SrvFinding | undefined;
  attempts: ProbeAttempt[];
  /** CalDAV, CardDAV and JMAP found by RFC 6764 / RFC 8620 discovery, added to whichever config wins. */
  services?: UrlService[];
}

export function mergeFindings(domain: string, findings: Findings): MailConfig | undefined {
  if (findings.pacc) return findings.pacc;
  // A file fetched over plain http (an operator's option) ranks below the database reached through MX.
  if (findings.autoconfig && viaHttps(findings.autoconfig)) return findings.autoconfig;
  if (findings.autodiscover) return findings.autodiscover;
  if (findings.mx?.config) return findings.mx.config;
  if (findings.autoconfig) return findings.autoconfig;
  if (findings.mxAutoconfig) return findings.mxAutoconfig;
  const servers = [...srvServers(domain, findings), ...probeServers(domain, findings)];
  const covered = new Set(servers.map((s) => s.protocol));
  for (const protocol of PROTOCOLS) {
    if (!covered.has(protocol)) servers.push(...plainFallback(domain, findings.attempts.filter((a) => a.candidate.protocol === protocol)));
  }
  if (!servers.some((s) => s.protocol !== 'smtp')) return undefined;
  const ranked = rankServers(servers);
  const best = [...ranked].sort((a, b) => SOURCE_RANK[a.source.kind] - SOURCE_RANK[b.source.kind])[0]!;
  const kinds = [...new Set(ranked.map((s) => s.source.kind))];
  return {
    id: domain,
    domains: [domain],
    mxDomains: [],
    displayName: domain,
    displayShortName: domain.split('.')[0],
    servers: ranked,
    documentation: [],
    enable: [],
    source: { kind: best.source.kind, detail: `live discovery for ${domain} (${kinds.map(kindWords).join(', ')})`, confidence: best.source.confidence },
  };
}

/** False only for an autoconfig file that came over plain http. */
export function viaHttps(config: MailConfig): boolean {
  return config.source.evidence?.https !== false;
}

function kindWords(kind: SourceKind): string {
  return { database: 'provider database', autoconfig: "domain's autoconfig", mx: 'MX', srv: 'SRV records', probe: 'port probing' }[kind];
}

function keyOf(host: string, port: number, security: string): string {
  return `${host}:${port}:${security}`;
}

/** SRV targets a probe confirmed; targets no probe could check are kept (low confidence) only when nothing was confirmed. */
function srvServers(domain: string, findings: Findings): ServerSettings[] {
  const targets = findings.srv?.targets ?? [];
  const byKey = new Map(findings.attempts.map((a) => [keyOf(a.candidate.host, a.candidate.port, a.candidate.security), a]));
  const verified: ServerSettings[] = [];
  const unverified: ServerSettings[] = [];
  for (const target of targets) {
    const attempt = byKey.get(keyOf(target.host, target.port, target.service.security));
    if (attempt?.result?.ok) {
      const server = fromProbe(domain, attempt, attempt.result, srvProvenance(target, attempt));
      if (server) verified.push(server);
    } else if (!attempt || (attempt.skipped !== undefined && !attempt.unusable)) {
      // Never probed, or cancelled (deadline, a better try): what DNS says, marked as unconfirmed.
      unverified.push(unconfirmed(domain, target, attempt));
    }
  }
  const confirmed = new Set(verified.map((s) => s.protocol));
  return [...verified, ...unverified.filter((s) => !confirmed.has(s.protocol))];
}

function srvProvenance(target: SrvTarget, attempt: ProbeAttempt): Provenance {
  const result = attempt.result!;
  return {
    kind: 'srv',
    detail: target.record,
    confidence: target.outsideDomain ? 'low' : 'medium',
    evidence: { dns: { srv: target.record, ttl: target.ttl }, verified: true, ...probeEvidence(attempt, result) },
  };
}

function unconfirmed(domain: string, target: SrvTarget, attempt: ProbeAttempt | undefined): ServerSettings {
  const why = attempt?.skipped ?? 'no probe finished before the lookup deadline';
  const warnings = [`not verified by a connection (${why})`];
  if (target.outsideDomain) warnings.push(outsideWarning(target.host, domain));
  return {
    protocol: target.service.protocol,
    host: target.host,
    port: target.port,
    security: target.service.security,
    auth: ['password-cleartext'],
    username: '%EMAILADDRESS%',
    source: { kind: 'srv', detail: target.record, confidence: 'low', evidence: { dns: { srv: target.record, ttl: target.ttl }, verified: false } },
    warnings,
  };
}

const GUESSED_FROM: Record<ProbeAttempt['candidate']['origin'], string> = {
  srv: 'an SRV record',
  guess: 'the domain name',
  mx: "the MX host's domain",
  'mx-host': 'the MX host itself (self-hosted mail)',
};

/** Servers found by probing alone (not already an SRV target), in the order tried. */
function probeServers(domain: string, findings: Findings): ServerSettings[] {
  const srvKeys = new Set((findings.srv?.targets ?? []).map((t) => keyOf(t.host, t.port, t.service.security)));
  const out: ServerSettings[] = [];
  const used = new Set<string>();
  for (const attempt of [...findings.attempts].sort((a, b) => a.rank - b.rank)) {
    const { candidate, result } = attempt;
    const key = keyOf(candidate.host, candidate.port, candidate.security);
    if (!result?.ok || srvKeys.has(key) || used.has(key)) continue;
    used.add(key);
    const inside = isInside(candidate.host, domain);
    const provenance: Provenance = {
      kind: 'probe',
      detail: `${candidate.host}:${candidate.port}`,
      confidence: inside && !candidate.certificateFor ? 'medium' : 'low',
      evidence: {
        guessedFrom: GUESSED_FROM[candidate.origin],
        ...(candidate.certificateFor ? { insteadOf: candidate.certificateFor.host, alias: candidate.certificateFor.alias } : {}),
        ...probeEvidence(attempt, result),
      },
    };
    const server = fromProbe(domain, attempt, result, provenance);
    if (server) out.push(server);
  }
  return out;
}

/**
 * Plain text only when a protocol has nothing better: a STARTTLS try that met a server which never offered
 * STARTTLS shows a server without encryption; it is offered as plain and flagged insecure. A server that
 * advertised STARTTLS and then failed it is not offered at all: that is what a downgrade attack looks like.
 */
function plainFallback(domain: string, attempts: ProbeAttempt[]): ServerSettings[] {
  for (const attempt of attempts) {
    const { candidate, result } = attempt;
    if (!result || result.ok || candidate.security !== 'starttls' || !result.greeting || result.tlsVersion || attempt.skipped) continue;
    if (advertisesStartTls(candidate.protocol, result.capabilities)) continue;
    const { auth, loginDisabled } = deriveAuth(candidate.protocol, result.capabilities);
    if (loginDisabled && !(candidate.protocol === 'pop3' && result.capabilities.length === 0)) continue;
    const kind: SourceKind = candidate.origin === 'srv' ? 'srv' : 'probe';
    return [
      {
        protocol: candidate.protocol,
        host: candidate.host,
        port: candidate.port,
        security: 'none',
        auth: auth.length > 0 ? auth : ['password-cleartext'],
        username: '%EMAILADDRESS%',
        source: { kind, detail: `${candidate.host}:${candidate.port}`, confidence: 'low', evidence: { insecure: true, ...probeEvidence(attempt, result) } },
        warnings: [
          `insecure: no encryption, passwords travel in clear text (STARTTLS failed: ${result.error ?? 'unknown'})`,
          ...(isInside(candidate.host, domain) ? [] : [outsideWarning(candidate.host, domain)]),
        ],
      },
    ];
  }
  return [];
}

function fromProbe(domain: string, attempt: ProbeAttempt, result: ProbeResult, source: Provenance): ServerSettings | undefined {
  const { candidate } = attempt;
  const auth = usableAuth(candidate.protocol, result);
  if (!auth) return undefined;
  const warnings: string[] = [];
  const outdated = deprecatedTls(result.tlsVersion);
  if (outdated) warnings.push(outdated);
  const instead = candidate.certificateFor;
  if (instead) {
    const how = instead.alias ? `${instead.host} is an alias of ${candidate.host}` : `both names have the same address`;
    warnings.push(`the certificate names ${candidate.host}; ${instead.host}'s own name is not covered (${how}): use ${candidate.host}`);
  }
  if (!isInside(candidate.host, domain)) warnings.push(outsideWarning(candidate.host, domain));
  const server: ServerSettings = {
    protocol: candidate.protocol,
    host: candidate.host,
    port: candidate.port,
    security: candidate.security,
    auth,
    username: '%EMAILADDRESS%',
    source: warnings.length > 0 && source.confidence !== 'low' ? { ...source, confidence: lower(source.confidence) } : source,
  };
  if (warnings.length > 0) server.warnings = warnings;
  return server;
}

/** How a client logs in, from the capabilities read under TLS; undefined when the server offers no login. */
function usableAuth(protocol: Protocol, result: ProbeResult): AuthMethod[] | undefined {
  if (result.auth.length > 0 && !result.loginDisabled) return result.auth;
  // CAPA is optional in POP3 (RFC 2449); USER/PASS is what every server without it takes.
  if (protocol === 'pop3' && result.capabilities.length === 0) return ['password-cleartext'];
  return undefined;
}

function probeEvidence(attempt: ProbeAttempt, result: ProbeResult): Record<string, unknown> {
  return {
    address: attempt.address,
    probe: result.ok ? 'ok' : result.error,
    ms: result.ms,
    tlsVersion: result.tlsVersion,
    certificate: result.certificate,
    capabilities: result.capabilities.slice(0, 30),
    greeting: result.greeting,
  };
}

function outsideWarning(host: string, domain: string): string {
  return `${host} is outside ${domain}: confirm with your provider that this server is theirs`;
}

function lower(confidence: Confidence): Confidence {
  return confidence === 'high' ? 'medium' : 'low';
}
