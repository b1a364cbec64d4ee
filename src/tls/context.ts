// Turning PEM text into a SecureContext, with the checks that make a bad file a clear message instead of a failed
// handshake later: both parts present, the key matches the first certificate, the certificate is not expired.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import { MailconfigError } from '../settings/errors.js';

/** TLS 1.2 is the floor on every listener and every context (TLS 1.0/1.1: RFC 8996). */
export const MIN_TLS_VERSION = 'TLSv1.2' as const;

export interface CertificatePem {
  /** The leaf certificate first, then the chain (intermediates), PEM. */
  cert: string;
  key: string;
}

export interface LoadedCertificate {
  context: SecureContext;
  pem: CertificatePem;
  /** The leaf's subject alternative names (DNS), lower case. */
  names: string[];
  notAfter: Date;
  issuer: string;
}

export class CertificateError extends MailconfigError {
  constructor(message: string, options?: ErrorOptions) {
    super('MAILCONFIG_TLS_BAD_CERTIFICATE', message, options);
  }
}

/** Checks and builds; throws CertificateError with a one-line reason. `now` is for tests. */
export function loadCertificate(pem: CertificatePem, now: Date = new Date()): LoadedCertificate {
  if (!/-----BEGIN [A-Z ]*CERTIFICATE-----/.test(pem.cert)) throw new CertificateError('the certificate file holds no PEM certificate');
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem.key)) throw new CertificateError('the key file holds no PEM private key');
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(pem.cert);
  } catch (error) {
    throw new CertificateError(`the certificate cannot be parsed: ${(error as Error).message}`);
  }
  let key;
  try {
    key = createPrivateKey(pem.key);
  } catch (error) {
    throw new CertificateError(`the private key cannot be parsed (an encrypted key is not supported): ${(error as Error).message}`);
  }
  if (!leaf.checkPrivateKey(key)) throw new CertificateError('the private key does not belong to the (first) certificate');
  const notAfter = new Date(leaf.validTo);
  if (notAfter.getTime() < now.getTime()) throw new CertificateError(`the certificate expired on ${notAfter.toISOString()}`);
  let context: SecureContext;
  try {
    context = createSecureContext({ cert: pem.cert, key: pem.key, minVersion: MIN_TLS_VERSION });
  } catch (error) {
    throw new CertificateError(`OpenSSL refused the certificate or key: ${(error as Error).message}`);
  }
  return { context, pem, names: dnsNames(leaf), notAfter, issuer: leaf.issuer.replace(/\n/g, ', ') };
}

function dnsNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4).toLowerCase());
}
