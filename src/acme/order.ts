// One certificate order through acme-client (RFC 8555): account, order, challenge, finalize, download.
import { Agent } from 'node:https';
import * as acme from 'acme-client';
import type { ChallengeType } from './config.js';
import type { PendingChallenges } from './challenges.js';
import { MailconfigError } from '../settings/errors.js';

export interface OrderClientOptions {
  directoryUrl: string;
  accountKey: string;
  email?: string | undefined;
  /** Offered first; the other type is the fallback when the CA does not offer it. */
  challenge: ChallengeType;
  challenges: PendingChallenges;
  /** PEM CA trusted for the directory's own TLS certificate (a private CA such as pebble's). */
  directoryCa?: string | undefined;
  /** Polling of order and challenge status (ms). */
  backoffMinMs?: number | undefined;
}

export interface IssuedCertificate {
  key: string;
  cert: string;
}

/** A failed order; `message` says what the CA or the network said, without personal data. */
export class AcmeOrderError extends MailconfigError {
  constructor(message: string, options?: ErrorOptions) {
    super('MAILCONFIG_ACME_ORDER_FAILED', message, options);
  }
}

let trustedCa: string | undefined;

/**
 * acme-client talks through one module-wide axios instance: a directory CA goes into its https agent. The CA of the
 * first manager that sets one wins (one process talks to one CA).
 */
function trustDirectoryCa(ca: string | undefined): void {
  if (!ca || trustedCa === ca) return;
  trustedCa = ca;
  acme.axios.defaults.httpsAgent = new Agent({ ca, keepAlive: true });
}

// acme-client retries 5xx and network errors 5 times with 5 s steps; 2 retries keep a failing CA from holding an
// order (and the name's lock) for over a minute.
(acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings.retryMaxAttempts = 2;

export class OrderClient {
  private readonly client: acme.Client;
  private account?: Promise<void> | undefined;

  constructor(private readonly options: OrderClientOptions) {
    trustDirectoryCa(options.directoryCa);
    this.client = new acme.Client({
      directoryUrl: options.directoryUrl,
      accountKey: options.accountKey,
      backoffAttempts: 10,
      backoffMin: options.backoffMinMs ?? 1000,
      backoffMax: 30_000,
    });
  }

  static createAccountKey(): Promise<string> {
    return acme.crypto.createPrivateEcdsaKey('P-256').then((key) => key.toString());
  }

  /**
   * Registers the account key once per process. For a key the CA knows already (a restart), acme-client follows the
   * CA's 200 with an account update, which pebble refuses when there is nothing to update: the account URL from the
   * 200 is all that is needed, so that refusal is ignored.
   */
  private ensureAccount(): Promise<void> {
    this.account ??= (async () => {
      const contact = this.options.email ? { contact: [`mailto:${this.options.email}`] } : {};
      try {
        await this.client.createAccount({ termsOfServiceAgreed: true, ...contact });
      } catch (error) {
        try {
          this.client.getAccountUrl();
        } catch {
          throw error;
        }
      }
    })();
    this.account.catch(() => (this.account = undefined));
    return this.account;
  }

  /** Orders a certificate for one name; the key is ECDSA P-256 like the default certificate's should be. */
  async order(name: string): Promise<IssuedCertificate> {
    const key = await acme.crypto.createPrivateEcdsaKey('P-256');
    const [, csr] = await acme.crypto.createCsr({ commonName: name, altNames: [name] }, key);
    const { challenges } = this.options;
    const priority = this.options.challenge === 'tls-alpn-01' ? ['tls-alpn-01', 'http-01'] : ['http-01', 'tls-alpn-01'];
    try {
      await this.ensureAccount();
      const cert = await this.client.auto({
        csr,
        // acme-client would check the challenge itself through the system's DNS first; the CA checks anyway.
        skipChallengeVerification: true,
        challengePriority: priority,
        challengeCreateFn: async (authz, challenge, keyAuthorization) => {
          // acme-client's types know http-01 and dns-01 only; its auto() hands over tls-alpn-01 as well.
          const type: string = challenge.type;
          if (type === 'http-01') await challenges.addHttp01(authz.identifier.value, challenge.token, keyAuthorization);
          else if (type === 'tls-alpn-01') {
            const [alpnKey, alpnCert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization, await acme.crypto.createPrivateEcdsaKey('P-256'));
            await challenges.addTlsAlpn01(authz.identifier.value, alpnKey.toString(), alpnCert.toString());
          } else throw new AcmeOrderError(`the CA offered no usable challenge (got ${type})`);
        },
        challengeRemoveFn: async (authz, challenge) => {
          if (challenge.type === 'http-01') await challenges.removeHttp01(challenge.token);
          else await challenges.removeTlsAlpn01(authz.identifier.value);
        },
      });
      return { key: key.toString(), cert };
    } catch (error) {
      if (error instanceof AcmeOrderError) throw error;
      throw new AcmeOrderError(describe(error));
    }
  }
}

/** acme-client errors carry the CA's problem detail in the message; axios errors their code. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}
