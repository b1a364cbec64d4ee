// Which strings may ever reach a CA: host names only. The policy decides which of those this service serves.
import { isIP } from 'node:net';

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The SNI name as a CA would see it: lower case, no trailing dot; undefined for anything that is not a plain DNS
 * host name of two or more labels (IP literals, wildcards, underscores, empty or over-long labels, names over 253).
 */
export function certificateName(raw: string): string | undefined {
  const name = raw.trim().toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > 253 || isIP(name) !== 0) return undefined;
  const labels = name.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
  // A top-level label is never all digits (RFC 3696 2): `1.2.3.4.5` and `example.123` are not host names.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return undefined;
  // xn-- is IDNA; any other "??--" at the start of a label is reserved (RFC 5891 4.2.3.1).
  if (labels.some((label) => /^..--/.test(label) && !label.startsWith('xn--'))) return undefined;
  return name;
}

/** The prefixes mail clients ask below a customer domain. */
export const CLIENT_PREFIXES = ['autoconfig', 'autodiscover', 'ua-auto-config'] as const;

/** `autodiscover.example.org` -> `example.org`; undefined when the name has none of the client prefixes. */
export function customerDomainOf(name: string): string | undefined {
  for (const prefix of CLIENT_PREFIXES) {
    if (name.startsWith(`${prefix}.`)) {
      const rest = name.slice(prefix.length + 1);
      return rest.includes('.') ? rest : undefined;
    }
  }
  return undefined;
}
