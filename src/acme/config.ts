// The ACME settings from the environment (MAILCONFIG_ACME_*, MAILCONFIG_STATE_DIR, MAILCONFIG_HOSTNAMES), checked once
// at start. src/config.ts folds them into AppConfig; `mailconfig certs` reads the state directory through here too.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { certificateName } from './names.js';
import { MailconfigError } from '../settings/errors.js';

export type NamePolicyMode = 'db' | 'mx';
export type ChallengeType = 'http-01' | 'tls-alpn-01';

export interface AcmeConfig {
  /** The CA's directory URL (MAILCONFIG_ACME_DIRECTORY). */
  directoryUrl: string;
  /** Account contact (MAILCONFIG_ACME_EMAIL); never logged. */
  email?: string | undefined;
  /** Account key, certificates, locks (MAILCONFIG_STATE_DIR, default ./state). */
  stateDir: string;
  /** MAILCONFIG_ACME_NAMES: `db` (provider database and own names) or `mx` (also customer domains by MX). */
  names: NamePolicyMode;
  /** The service's own names (MAILCONFIG_HOSTNAMES and the host of MAILCONFIG_PUBLIC_URL). */
  hostnames: string[];
  /** MAILCONFIG_ACME_RATE: orders per hour at most (new and renewals together). */
  ordersPerHour: number;
  /** MAILCONFIG_ACME_CHALLENGE: the challenge offered first (the other one is the fallback). */
  challenge: ChallengeType;
  /** MAILCONFIG_ACME_CA: PEM of a private CA that signed the directory's own TLS certificate (pebble, a test CA). */
  directoryCa?: string | undefined;
}

/** A mistake in an ACME variable; src/config.ts turns it into its ConfigError. */
export class AcmeConfigError extends MailconfigError {
  constructor(message: string, options?: ErrorOptions) {
    super('MAILCONFIG_ACME_CONFIG', message, options);
  }
}

type Env = Record<string, string | undefined>;

export const DEFAULT_STATE_DIR = './state';

export function readStateDir(env: Env): string {
  return resolve(env.MAILCONFIG_STATE_DIR?.trim() || DEFAULT_STATE_DIR);
}

/** Undefined when MAILCONFIG_ACME_DIRECTORY is not set (ACME off). `publicUrl` is the already checked public URL. */
export function readAcmeConfig(env: Env, publicUrl: string | undefined): AcmeConfig | undefined {
  const directory = env.MAILCONFIG_ACME_DIRECTORY?.trim();
  if (!directory) return undefined;
  let url: URL;
  try {
    url = new URL(directory);
  } catch {
    throw new AcmeConfigError(`MAILCONFIG_ACME_DIRECTORY=${directory} is not a URL`);
  }
  if (url.protocol !== 'https:') throw new AcmeConfigError(`MAILCONFIG_ACME_DIRECTORY=${directory} must be an https:// URL (RFC 8555 6.1)`);
  return {
    directoryUrl: url.href,
    email: readEmail(env),
    stateDir: readStateDir(env),
    names: readMode(env),
    hostnames: readHostnames(env, publicUrl),
    ordersPerHour: readRate(env),
    challenge: readChallenge(env),
    directoryCa: readCa(env),
  };
}

function readEmail(env: Env): string | undefined {
  const raw = env.MAILCONFIG_ACME_EMAIL?.trim();
  if (!raw) return undefined;
  // The value is personal data: the message does not repeat it.
  if (!/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(raw)) throw new AcmeConfigError('MAILCONFIG_ACME_EMAIL is not an e-mail address');
  return raw;
}

function readMode(env: Env): NamePolicyMode {
  const raw = env.MAILCONFIG_ACME_NAMES?.trim().toLowerCase() || 'db';
  if (raw !== 'db' && raw !== 'mx') throw new AcmeConfigError(`MAILCONFIG_ACME_NAMES=${raw} must be db or mx`);
  return raw;
}

function readChallenge(env: Env): ChallengeType {
  const raw = env.MAILCONFIG_ACME_CHALLENGE?.trim().toLowerCase() || 'http-01';
  if (raw !== 'http-01' && raw !== 'tls-alpn-01') throw new AcmeConfigError(`MAILCONFIG_ACME_CHALLENGE=${raw} must be http-01 or tls-alpn-01`);
  return raw;
}

function readRate(env: Env): number {
  const raw = env.MAILCONFIG_ACME_RATE?.trim();
  if (!raw) return 20;
  if (!/^[0-9]{1,6}$/.test(raw) || Number(raw) < 1) throw new AcmeConfigError(`MAILCONFIG_ACME_RATE=${raw} must be a whole number of orders per hour (1 or more)`);
  return Number(raw);
}

/** MAILCONFIG_HOSTNAMES (comma-separated) and the host of the public URL, checked as certificate names. */
export function readHostnames(env: Env, publicUrl: string | undefined): string[] {
  const names = new Set<string>();
  for (const entry of (env.MAILCONFIG_HOSTNAMES ?? '').split(',')) {
    if (entry.trim() === '') continue;
    const name = certificateName(entry);
    if (!name) throw new AcmeConfigError(`MAILCONFIG_HOSTNAMES: "${entry.trim()}" is not a DNS host name (IP addresses and wildcards cannot be ordered)`);
    names.add(name);
  }
  if (publicUrl) {
    const host = certificateName(new URL(publicUrl).hostname);
    if (host) names.add(host);
  }
  return [...names];
}

function readCa(env: Env): string | undefined {
  const path = env.MAILCONFIG_ACME_CA?.trim();
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AcmeConfigError(`MAILCONFIG_ACME_CA=${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new AcmeConfigError(`MAILCONFIG_ACME_CA=${path} is not a PEM certificate file`);
  return text;
}
