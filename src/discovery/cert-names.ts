// Shared hosting: a customer's imap.D is an alias of the hoster's server, whose certificate names only the hoster's
// host. The customer's name is rightly refused; the names the certificate covers (and the alias target) are the
// ones a client can use, when they lead to the very same address. Pure: which names, in which order.
import { isIP } from 'node:net';
import { dnsName } from './dns.js';
import type { CertificateFacts } from './types.js';

/** Names tried at most instead of one refused host (each still needs the same address and its own probe). */
export const MAX_CERTIFICATE_NAMES = 3;

/** The certificate is fine in every way but the host name: the only case another name may help. */
export function onlyTheNameIsWrong(certificate: CertificateFacts | undefined): certificate is CertificateFacts {
  return certificate !== undefined && certificate.trusted && !certificate.expired && !certificate.notYetValid && !certificate.nameMatches;
}

/**
 * Names to try instead of `host`: the alias targets (the end of the chain first: that is the server's own name),
 * then the DNS names the certificate covers. Wildcards cannot be asked for and are left out (an alias target they
 * cover comes first anyway); IP address entries too.
 */
export function certificateNames(host: string, aliases: readonly string[], certificate: CertificateFacts): string[] {
  const covered = certificate.altNames.filter((entry) => /^DNS:/i.test(entry)).map((entry) => dnsName(entry.slice(4)));
  const names = [...[...aliases].reverse(), ...covered].map(dnsName);
  const own = dnsName(host);
  const out: string[] = [];
  for (const name of names) {
    if (name === own || out.includes(name) || name.includes('*') || isIP(name) !== 0 || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(name)) continue;
    out.push(name);
    if (out.length >= MAX_CERTIFICATE_NAMES) break;
  }
  return out;
}
