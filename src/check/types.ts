// The domain check's values: what was seen on the network (facts), and what it means (the report).
// `facts.ts` gathers the facts through discovery's network layer; `evaluate.ts` turns them into the report, pure.
import type { MailConfig } from '../settings/model.js';
import type { Finding } from './messages.js';

export const CHECK_IDS = ['mx', 'autoconfig', 'autodiscover', 'srv', 'pacc', 'caldav', 'carddav', 'servers'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export const CHECK_STATUSES = ['ok', 'warn', 'fail', 'info'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export interface Check {
  id: CheckId;
  status: CheckStatus;
  /** One sentence: why this status (English, `why` rendered). */
  message: string;
  /** What to do about it (English, `todo` rendered); empty when nothing is to be done. */
  fix: string;
  /** The same sentences as findings (message key + parameters), for other languages. */
  why: Finding;
  todo?: Finding;
}

export interface CheckReport {
  domain: string;
  checks: Check[];
  /** Zone-file lines (BIND syntax) of every record the domain should publish, each marked ok / add / change. */
  records: string;
}

/** Who this service is: the names and addresses a customer's records must point at. */
export interface ServiceIdentity {
  /** MAILCONFIG_HOSTNAMES: the first is the one the zone lines use. */
  hostnames: string[];
  /** MAILCONFIG_SERVICE_ADDRESSES, plus whatever the host names resolve to. */
  addresses: string[];
}

/** A name as DNS answered it: its CNAME (if any) and its vetted addresses. */
export interface NameFacts {
  name: string;
  cname?: string;
  addresses: string[];
  /** Addresses the network guard refused (never connected to). */
  refused: string[];
  nxdomain: boolean;
  error?: string;
}

/** An HTTPS fetch: the body, or why not (certificate problems in `error`, with `failure` = certificate). */
export type WebFacts = { ok: true; url: string; body: string } | { ok: false; url: string; failure: string; error: string; missing: boolean };

export interface SrvFacts {
  name: string;
  /** `priority weight port target.`; target "." for "not offered". */
  records: { priority: number; weight: number; port: number; target: string }[];
  error?: string;
}

export interface TxtFacts {
  name: string;
  /** Each record's character-strings joined. */
  records: string[];
  error?: string;
}

/** One advertised server, probed (never a login). */
export interface ServerProbeFacts {
  label: string;
  ok: boolean;
  /** Why not (TLS, certificate, greeting). */
  problem?: Finding;
}

export interface MxFacts {
  records: { priority: number; exchange: string }[];
  nxdomain: boolean;
  error?: string;
  /** The provider file the best MX host leads to (purpose="mx" domains first), if any. */
  providerId?: string;
  providerName?: string;
}

export interface CheckFacts {
  domain: string;
  identity: ServiceIdentity;
  /** What this service answers for the domain (database by domain, else by MX); undefined: nothing known. */
  expected?: MailConfig;
  /** How `expected` was found: the domain's own provider file, or its MX. */
  expectedVia?: 'domain' | 'mx';
  mx: MxFacts;
  autoconfigName: NameFacts;
  autoconfigFile?: WebFacts;
  autodiscoverName: NameFacts;
  autodiscoverSrv: SrvFacts;
  autodiscoverPox?: WebFacts;
  paccName: NameFacts;
  paccDocument?: WebFacts;
  paccTxt: TxtFacts;
  /** Mail SRV names (RFC 6186/8314) and DAV SRV/TXT (RFC 6764), by owner name without the trailing dot. */
  srv: Record<string, SrvFacts>;
  txt: Record<string, TxtFacts>;
  servers: ServerProbeFacts[];
}

/** The facts as they arrive: each a promise, settled when its own queries are done (so a check can be evaluated
 * as soon as what it reads is known, while the others still run). */
export type PendingFacts = { readonly [K in keyof CheckFacts]-?: Promise<CheckFacts[K]> };
