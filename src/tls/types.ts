// The seam between the HTTPS listener (src/tls/, src/http/, src/process/) and whatever supplies certificates: the
// default certificate files (MAILCONFIG_TLS_CERT/_KEY) and the ACME engine (src/acme/). Types only, no code, so both
// sides can build against it. Layering: src/tls/ imports no other src folder except settings/.
import type { SecureContext } from 'node:tls';

/** What the TLS handshake tells us before a certificate is chosen. */
export interface ClientHello {
  /** The SNI name, lower case, without a trailing dot. Handshakes without SNI never reach a source. */
  servername: string;
  /**
   * The ALPN protocols the client offered, in its order (`['acme-tls/1']` for an RFC 8737 tls-alpn-01 validation,
   * `['h2', 'http/1.1']` for a browser). Read from the ClientHello by the listener before the handshake starts
   * (src/tls/client-hello.ts); empty when the client offered none or the hello could not be read.
   */
  alpnProtocols: readonly string[];
}

/**
 * Something that may have a certificate for a name. Asked on every handshake, so `contextFor` must be synchronous
 * and cheap (a map lookup): build the SecureContext once, when the certificate is loaded or issued, not here.
 *
 * Sources are asked in order and the first context wins (see TlsExtensions.sources). A tls-alpn-01 responder is a
 * source that answers only when `hello.alpnProtocols` includes `acme-tls/1` and a challenge for that name is
 * pending, and is listed first. Use one key type (ECDSA P-256) for every certificate, the default one included:
 * Node 20 / OpenSSL 3.0 may keep serving the default certificate when SNICallback returns a different key type.
 */
export interface CertificateSource {
  contextFor(servername: string, hello: ClientHello): SecureContext | undefined;
}

/**
 * Called (at most once per handshake, without waiting for it) when no source had a certificate for a name. The
 * handshake goes on with the default certificate, or fails when there is none. The implementation decides by policy,
 * rate limit and back-off whether to order one; it must never throw and must not log per call (handshakes for
 * random names are cheap for an attacker). `hello.alpnProtocols` includes `acme-tls/1` for the CA's own validation
 * connections: never order for those.
 */
export type MissingCertificateHandler = (hello: ClientHello) => void;

/** Answers ACME http-01 challenges on the HTTP port: `GET /.well-known/acme-challenge/<token>`. */
export interface ChallengeResponder {
  /**
   * The key authorization for a pending token, or undefined when the token is unknown (answered 404). `host` is the
   * request's Host without the port, lower case; a responder may ignore it. Synchronous or a promise.
   */
  http01(token: string, host: string): string | undefined | Promise<string | undefined>;
}

/** Which process this is; lets exactly one process order certificates when several serve (node:cluster). */
export interface ProcessRole {
  /** 0 when not clustered (a single process), else the cluster worker's id (1, 2, ...). */
  worker: number;
  /** How many serving processes there are (MAILCONFIG_WORKERS resolved), 1 when not clustered. */
  workers: number;
  /**
   * True in exactly one serving process: the single process, or worker 1 of the cluster (the worker that replaces
   * a dead worker 1 inherits the role). Only this process runs ACME orders and renewals; the others only serve
   * certificates from the state directory and forward names they lack to it (see ClusterMessage).
   */
  ordersCertificates: boolean;
}

/**
 * Messages between cluster workers, relayed by the primary (src/process/cluster.ts). Send them with
 * `process.send(message)` in a worker; receive them with `process.on('message', ...)`, checking `kind`.
 * - `tls:missing`: a worker that does not order saw a handshake for a name without a certificate; the primary passes
 *   it on to the ordering worker, which treats it like a local `onMissing`.
 * - `tls:issued`: the ordering worker stored a new or renewed certificate; the primary passes it to every other
 *   worker, which reloads that name from the state directory.
 */
export type ClusterMessage =
  | { kind: 'tls:missing'; servername: string }
  | { kind: 'tls:issued'; servername: string };

/**
 * What an ACME engine (or anything else) adds to the HTTPS listener; built in startService (src/service.ts) when
 * MAILCONFIG_ACME_DIRECTORY is set, from `ProcessRole`. Every part is optional.
 */
export interface TlsExtensions {
  /** Asked in this order before the default certificate (tls-alpn-01 responder first, then issued certificates). */
  sources?: CertificateSource[];
  /** For names no source has a certificate for. */
  onMissing?: MissingCertificateHandler;
  /** For `/.well-known/acme-challenge/<token>` on the HTTP port; without it those paths answer 404. */
  challenges?: ChallengeResponder;
  /** Stops timers and renewals; called on shutdown after the listeners closed. */
  close?(): Promise<void> | void;
  /** Called on SIGHUP (after the default certificate files were reloaded): re-read stored certificates, say. */
  reload?(): Promise<void> | void;
}

// Wiring (src/service.ts): startService builds the ProcessRole, then `const tls: TlsExtensions = ...` (the ACME engine
// plugs in at the line marked `ACME:` there), passes `tls.challenges` to the HTTP routes, `tls.sources`/`onMissing`
// to the certificate store (src/tls/store.ts) and calls `tls.close()` on shutdown and `tls.reload()` on SIGHUP.
