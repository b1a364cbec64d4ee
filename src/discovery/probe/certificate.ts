// The certificate checks: what a TLS peer presented, judged against the trusted CAs, the host name and the clock,
// with every problem in words (OpenSSL reports only its last verification error), and the verdict on it.
import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, createSecureContext, rootCertificates, type DetailedPeerCertificate, type SecureContext, type TLSSocket } from 'node:tls';
import type { CertificateFacts, ProbeTarget } from '../types.js';

const TIME_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const UNTRUSTED_WORDS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed certificate nobody trusts',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issued by an unknown certificate authority',
  UNABLE_TO_GET_ISSUER_CERT: 'issued by an unknown certificate authority',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'issued by an unknown certificate authority, or the server left out an intermediate certificate',
  CERT_SIGNATURE_FAILURE: 'the certificate signature is invalid',
  CERT_REVOKED: 'the certificate was revoked',
  INVALID_CA: 'an issuer in the chain is not a certificate authority',
};

/**
 * TLS 1.2 at least (RFC 8996 deprecates 1.0 and 1.1; RFC 8997 for mail): a server that offers nothing newer fails its
 * handshake, and the failure says so (see oldTlsOnly), so it is reported but never offered as a secure server.
 */
export const PROBE_TLS = { minVersion: 'TLSv1.2' } as const;

/** OpenSSL's codes for a handshake that found no TLS version both sides speak. */
const VERSION_CODES: ReadonlySet<string> = new Set(['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE']);

/** The handshake failed because the server offers only TLS older than 1.2. */
export function oldTlsOnly(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code !== undefined && VERSION_CODES.has(code);
}

let bundledAnchors: X509Certificate[] | undefined;
const contexts = new Map<string, SecureContext>();

/** A TLS context trusting Node's CAs plus `extra`; cached because building one with every root costs milliseconds. */
export function contextTrusting(extra: string[]): SecureContext {
  const key = extra.join('\n');
  let context = contexts.get(key);
  if (!context) {
    if (contexts.size >= 16) contexts.clear();
    context = createSecureContext({ ca: [...rootCertificates, ...extra], ...PROBE_TLS });
    contexts.set(key, context);
  }
  return context;
}

/** Why the TLS side is not acceptable, or undefined. Plain connections have nothing to check. */
export function certificateVerdict(target: ProbeTarget, facts: CertificateFacts | undefined): string | undefined {
  if (target.security === 'none') return undefined;
  if (!facts) return 'no certificate was received';
  if (facts.trusted && facts.nameMatches && !facts.expired && !facts.notYetValid) return undefined;
  return `certificate not acceptable: ${facts.problems.filter((problem) => problem.startsWith('certificate')).join('; ')}`;
}

function anchors(extra: string[]): X509Certificate[] {
  bundledAnchors ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return [...bundledAnchors, ...extra.map((pem) => new X509Certificate(pem))];
}

/** The certificates the server presented, leaf first. */
function presentedChain(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<DetailedPeerCertificate>();
  for (let cert: DetailedPeerCertificate | undefined = peer; cert?.raw && !seen.has(cert) && chain.length < 10; cert = cert.issuerCertificate) {
    seen.add(cert);
    chain.push(new X509Certificate(cert.raw));
  }
  return chain;
}

/**
 * OpenSSL reports only its last verification error, so an expired certificate from an unknown CA shows up as
 * merely "expired". When the error is about dates, walk the chain ourselves to learn whether it is trusted.
 */
function chainReachesAnchor(chain: X509Certificate[], trusted: X509Certificate[]): boolean {
  const issuedBy = (cert: X509Certificate, issuer: X509Certificate) => cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  let current = chain[0];
  for (let depth = 0; current && depth < 10; depth += 1) {
    const cert: X509Certificate = current;
    if (trusted.some((anchor) => anchor.fingerprint256 === cert.fingerprint256 || issuedBy(cert, anchor))) return true;
    current = chain.find((candidate) => candidate.fingerprint256 !== cert.fingerprint256 && issuedBy(cert, candidate));
  }
  return false;
}

function errorCode(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  const error = value as NodeJS.ErrnoException;
  return error.code ?? error.message;
}

/** Node writes distinguished names one attribute per line; show them the usual way. */
function distinguishedName(text: string): string {
  return text.split('\n').filter((part) => part !== '').join(', ');
}

/** What the peer of a finished handshake presented, checked for trust, name and dates. */
export function certificateFacts(secure: TLSSocket, host: string, extraCa: string[]): CertificateFacts {
  const peer = secure.getPeerCertificate(true);
  if (!peer?.raw) {
    return { trusted: false, nameMatches: false, expired: false, notYetValid: false, validFrom: '', validTo: '', subject: '', issuer: '', altNames: [], problems: ['certificate missing: the server sent none'] };
  }
  const chain = presentedChain(peer);
  const leaf = chain[0] as X509Certificate;
  const code = errorCode(secure.authorizationError);
  const timeError = code !== undefined && TIME_ERRORS.has(code);
  const from = new Date(leaf.validFrom);
  const to = new Date(leaf.validTo);
  const now = Date.now();
  const expired = now > to.getTime();
  const notYetValid = now < from.getTime();
  // A date error may be about any certificate of the chain; the walk may excuse it only when the leaf's own dates
  // explain it (they are reported below). An expired intermediate is a chain no client accepts.
  const caOutOfDate = timeError && !expired && !notYetValid;
  const trusted = secure.authorized || (timeError && !caOutOfDate && chainReachesAnchor(chain, anchors(extraCa)));
  const identityError = checkServerIdentity(host, peer);
  const altNames = (leaf.subjectAltName ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
  const subject = distinguishedName(leaf.subject);
  const issuer = distinguishedName(leaf.issuer);

  const problems: string[] = [];
  if (!trusted) {
    const selfSigned = leaf.checkIssued(leaf) && leaf.verify(leaf.publicKey);
    const words = caOutOfDate
      ? 'a certificate authority in the chain has expired or is not yet valid'
      : (code && !TIME_ERRORS.has(code) && UNTRUSTED_WORDS[code]) || (selfSigned ? UNTRUSTED_WORDS.DEPTH_ZERO_SELF_SIGNED_CERT : UNTRUSTED_WORDS.UNABLE_TO_GET_ISSUER_CERT);
    problems.push(`certificate not trusted: ${words} (issuer: ${issuer})`);
  }
  if (identityError) problems.push(`certificate does not name ${host}: it is for ${altNames.join(', ') || subject}`);
  if (expired) problems.push(`certificate expired on ${to.toISOString()}`);
  if (notYetValid) problems.push(`certificate not valid before ${from.toISOString()}`);
  return {
    trusted,
    nameMatches: identityError === undefined,
    expired,
    notYetValid,
    validFrom: from.toISOString(),
    validTo: to.toISOString(),
    subject,
    issuer,
    altNames,
    problems,
  };
}
