// Contracts between the discovery parts: the network guard, the prober and the pipeline.
import type { AuthMethod, Protocol, Security } from '../settings/model.js';
import type { ProbeFailureKind } from './probe/failure.js';

export type { ProbeFailureKind };

/** Decides which IP addresses discovery may connect to (global unicast, or inside MAILCONFIG_ALLOW_NETWORKS). */
export interface NetworkGuard {
  /** Why the address is refused, or undefined when it may be used. */
  refusal(ip: string): string | undefined;
}

/** One connection attempt: a name for TLS/SNI and reports, and the vetted IP to connect to (never re-resolved). */
export interface ProbeTarget {
  host: string;
  address: string;
  port: number;
  protocol: Protocol;
  security: Security;
}

export interface CertificateFacts {
  /** The chain verifies against the trusted CAs. */
  trusted: boolean;
  /** The certificate names the host (RFC 6125). */
  nameMatches: boolean;
  expired: boolean;
  notYetValid: boolean;
  validFrom: string;
  validTo: string;
  subject: string;
  issuer: string;
  altNames: string[];
  /** Every problem in words, e.g. "certificate has expired", "self-signed certificate". */
  problems: string[];
}

/** What a probe saw, whether or not it ended well (a failed STARTTLS still shows the greeting and capabilities). */
interface ProbeObservations {
  target: ProbeTarget;
  greeting?: string;
  /** Capabilities as read last (after TLS when TLS was used). */
  capabilities: string[];
  /** Authentication methods derived from the capabilities, in clientConfig terms (empty when the conversation broke off). */
  auth: AuthMethod[];
  /** IMAP LOGINDISABLED before TLS, or no AUTH offered. */
  loginDisabled: boolean;
  tlsVersion?: string;
  certificate?: CertificateFacts;
  ms: number;
}

/** Connected, greeted, and (for tls/starttls) completed a TLS handshake with a valid certificate. */
export interface ProbeSuccess extends ProbeObservations {
  ok: true;
}

/** Why the try is not usable: a stable kind (see ProbeFailureKind) and the words for people. */
export interface ProbeFailed extends ProbeObservations {
  ok: false;
  failure: ProbeFailureKind;
  error: string;
}

export type ProbeResult = ProbeSuccess | ProbeFailed;
