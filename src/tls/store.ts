// What the HTTPS server's SNICallback asks: the sources in order (a tls-alpn-01 responder, issued certificates, ...),
// then the default certificate. A name no source knows is reported to `onMissing` (the ACME engine's on-demand
// ordering), without waiting: the handshake goes on with the default certificate, or fails when there is none.
import type { SecureContext } from 'node:tls';
import type { CertificateSource, ClientHello, MissingCertificateHandler } from './types.js';

export interface CertificateStoreOptions {
  sources?: CertificateSource[] | undefined;
  onMissing?: MissingCertificateHandler | undefined;
  /** The default certificate's context, read at every handshake (it is swapped on reload). */
  fallback?: () => SecureContext | undefined;
  /** Unexpected errors of a source or of onMissing (logged with their stack; the handshake goes on). */
  onError?: (error: unknown, servername: string) => void;
}

export type SniCallback = (servername: string, callback: (error: Error | null, context?: SecureContext) => void) => void;

export class CertificateStore {
  private readonly sources: CertificateSource[];

  constructor(private readonly options: CertificateStoreOptions = {}) {
    this.sources = [...(options.sources ?? [])];
  }

  /** Adds a source after those given at construction (asked in the order added). */
  add(source: CertificateSource): void {
    this.sources.push(source);
  }

  /** The context for a handshake: the first source's answer, else the default (undefined: fail the handshake). */
  contextFor(hello: ClientHello): SecureContext | undefined {
    for (const source of this.sources) {
      try {
        const context = source.contextFor(hello.servername, hello);
        if (context) return context;
      } catch (error) {
        this.options.onError?.(error, hello.servername);
      }
    }
    try {
      this.options.onMissing?.(hello);
    } catch (error) {
      this.options.onError?.(error, hello.servername);
    }
    return this.options.fallback?.();
  }
}

/** An SNI name as sources see it: lower case, no trailing dot; undefined for what is not a host name. */
export function normalizeServername(name: string): string | undefined {
  const host = name.toLowerCase().replace(/\.$/, '');
  if (host.length === 0 || host.length > 253 || !/^[a-z0-9_.-]+$/.test(host) || host.includes('..')) return undefined;
  return host;
}
