// Why a probe ended without an acceptable answer: a stable kind for callers and words for people.

/** Expected ways a probe fails; everything else thrown inside a probe is a bug and is not caught as one of these. */
export type ProbeFailureKind =
  /** The target is not an IP address and port: probes never resolve names. */
  | 'invalid-target'
  /** The network guard refused the address. */
  | 'not-allowed'
  /** The caller's signal aborted the probe (deadline, a better try answered). */
  | 'cancelled'
  /** Nothing listens on the port (ECONNREFUSED). */
  | 'refused'
  /** No connection, handshake or answer within the time allowed. */
  | 'timeout'
  /** Reset, unreachable, or another socket error. */
  | 'network'
  /** The server hung up before the conversation was complete. */
  | 'closed'
  /** The TLS handshake failed. */
  | 'tls'
  /** The server speaks only TLS 1.0/1.1 (RFC 8996): a finding, never a secure server. */
  | 'old-tls'
  /** A TLS session was made but the certificate is not acceptable (untrusted, wrong name, out of its dates). */
  | 'certificate'
  /** The server refused STARTTLS/STLS, or sent bytes between its go-ahead and the handshake. */
  | 'starttls'
  /** The server refused the session in its greeting (IMAP BYE, POP3 -ERR, SMTP 554). */
  | 'rejected'
  /** The server does not speak the protocol (an unexpected greeting or reply). */
  | 'protocol'
  /** The server sent more than the read limit. */
  | 'too-large';

/** An expected failure, thrown inside a probe and turned into the result's `failure` and `error`. */
export class ProbeFailure extends Error {
  override name = 'ProbeFailure';
  constructor(
    readonly kind: ProbeFailureKind,
    message: string,
  ) {
    super(message);
  }
}

/** A socket error as a failure kind and words. */
export function socketFailure(error: Error, prefix = ''): ProbeFailure {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return new ProbeFailure('refused', `${prefix}connection refused`);
    case 'ECONNRESET':
      return new ProbeFailure('network', `${prefix}connection reset by the server`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ProbeFailure('network', `${prefix}no route to the server (${code})`);
    default:
      return new ProbeFailure('network', `${prefix}${code && !error.message.includes(code) ? `${error.message} (${code})` : error.message}`);
  }
}
