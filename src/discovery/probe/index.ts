// Connects to one candidate mail server and reports what really answers: greeting, capabilities (re-read after
// STARTTLS, because what a server says in plaintext can be stripped or forged on the way), authentication methods,
// TLS version and certificate facts. It never logs in and never sends credentials. It never resolves names either:
// it connects to the vetted address it is given, so DNS cannot be changed under it (rebinding).
//
// The parts: wire.ts reads lines, session.ts holds the TCP/TLS connection, dialogue.ts speaks IMAP/POP3/SMTP from
// one table, capabilities.ts maps SASL mechanisms to authentication methods, certificate.ts judges the certificate.
import { isIP } from 'node:net';
import type { CertificateFacts, NetworkGuard, ProbeResult, ProbeTarget } from '../types.js';
import { deriveAuth } from './capabilities.js';
import { certificateVerdict } from './certificate.js';
import { converse, type Observations } from './dialogue.js';
import { ProbeFailure } from './failure.js';
import { Session } from './session.js';

export interface ProbeOptions {
  /** The whole probe (connect, TLS, every read) ends after this many milliseconds. */
  timeoutMs: number;
  /** Longest wait for any single answer; defaults to timeoutMs. */
  readTimeoutMs?: number;
  signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM), added to Node's bundled ones (tests use their own CA). */
  ca?: string[] | undefined;
  /** The name sent with SMTP EHLO. */
  ehloName?: string | undefined;
  /** Most bytes read from the server over the whole conversation (default 16 KiB). */
  maxBytes?: number;
  /** When given, the address is checked once more before connecting (defence in depth; the pipeline vets first). */
  guard?: NetworkGuard;
  /**
   * Told the certificate's facts right after the TLS handshake, while the conversation goes on (discovery starts
   * what depends on the certificate without waiting for the rest of the dialogue).
   */
  onCertificate?: ((facts: CertificateFacts) => void) | undefined;
}

const DEFAULT_MAX_BYTES = 16 * 1024;
const DEFAULT_EHLO_NAME = 'mailconfig.invalid';

/** Never throws for what a server or the network can do; a thrown error is a bug (the caller logs it). */
export async function probe(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const seen: Observations = { capabilities: [] };
  const session = new Session(target, { ...options, maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES });
  let failure: ProbeFailure | undefined;
  let talked = false;
  try {
    refuseTarget(target, options);
    await session.open();
    await converse(session, target, seen, options.ehloName ?? DEFAULT_EHLO_NAME);
    talked = true;
    const certificateError = certificateVerdict(target, session.certificate);
    if (certificateError) failure = new ProbeFailure('certificate', certificateError);
  } catch (error) {
    if (!(error instanceof ProbeFailure)) throw error;
    failure = error;
  } finally {
    session.destroy();
  }
  const observations = {
    target,
    ...(seen.greeting !== undefined ? { greeting: seen.greeting } : {}),
    capabilities: seen.capabilities,
    // Authentication is judged only from a conversation that went to its end.
    ...(talked ? deriveAuth(target.protocol, seen.capabilities) : { auth: [], loginDisabled: false }),
    ...(session.tlsVersion ? { tlsVersion: session.tlsVersion } : {}),
    ...(session.certificate ? { certificate: session.certificate } : {}),
    ms: Math.round(performance.now() - started),
  };
  return failure ? { ...observations, ok: false, failure: failure.kind, error: failure.message } : { ...observations, ok: true };
}

/** Throws when the target must not be connected to at all. */
function refuseTarget(target: ProbeTarget, options: ProbeOptions): void {
  if (isIP(target.address) === 0) throw new ProbeFailure('invalid-target', `"${target.address}" is not an IP address (probes never resolve names)`);
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) throw new ProbeFailure('invalid-target', `${target.port} is not a port number`);
  const refusal = options.guard?.refusal(target.address);
  if (refusal) throw new ProbeFailure('not-allowed', `not connecting: ${refusal}`);
}
