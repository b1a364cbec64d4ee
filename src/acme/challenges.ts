// The challenges of orders in flight: http-01 answers for the HTTP port, tls-alpn-01 certificates for the HTTPS port.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { CertificateSource, ChallengeResponder, ClientHello } from '../tls/types.js';

export const ACME_TLS_ALPN = 'acme-tls/1';

export class PendingChallenges implements ChallengeResponder, CertificateSource {
  private readonly http = new Map<string, { name: string; keyAuthorization: string }>();
  private readonly alpn = new Map<string, SecureContext>();

  addHttp01(name: string, token: string, keyAuthorization: string): void {
    this.http.set(token, { name, keyAuthorization });
  }

  removeHttp01(token: string): void {
    this.http.delete(token);
  }

  addTlsAlpn01(name: string, key: string, cert: string): void {
    this.alpn.set(name, createSecureContext({ key, cert }));
  }

  removeTlsAlpn01(name: string): void {
    this.alpn.delete(name);
  }

  /** The key authorization for a token of an order in flight; the Host must be the name being validated. */
  http01(token: string, host: string): string | undefined {
    const pending = this.http.get(token);
    if (!pending || (host !== '' && host !== pending.name)) return undefined;
    return pending.keyAuthorization;
  }

  /** RFC 8737: only the CA's validation connection (ALPN acme-tls/1 alone) gets the challenge certificate. */
  contextFor(servername: string, hello: ClientHello): SecureContext | undefined {
    if (!hello.alpnProtocols.includes(ACME_TLS_ALPN)) return undefined;
    return this.alpn.get(servername);
  }

  get size(): number {
    return this.http.size + this.alpn.size;
  }
}
