import type { EmailAddress } from './address.js';
import type { MailConfig, ServerSettings } from './model.js';

/** A text split at its markers once, so filling it per request is a join, not a scan. */
export interface CompiledTemplate<K extends string = AddressField> {
  /** Literal pieces; one more than `slots`. */
  parts: string[];
  /** Which value goes between parts[i] and parts[i + 1]. */
  slots: K[];
}

export type AddressField = 'address' | 'localPart' | 'domain';

/**
 * The placeholders clientConfig defines, the one list every pattern and table here is built from: each with the
 * address field that fills it. %REALNAME% has none: the mail program asks its user.
 */
export const PLACEHOLDERS = [
  { name: 'EMAILADDRESS', field: 'address' },
  { name: 'EMAILLOCALPART', field: 'localPart' },
  { name: 'EMAILDOMAIN', field: 'domain' },
  { name: 'REALNAME', field: undefined },
] as const satisfies ReadonlyArray<{ name: string; field: AddressField | undefined }>;
export type PlaceholderName = (typeof PLACEHOLDERS)[number]['name'];

/** `%EMAILADDRESS%` -> 'address', for the placeholders an address fills. */
export const ADDRESS_MARKERS: Readonly<Record<string, AddressField>> = Object.fromEntries(
  PLACEHOLDERS.flatMap((p) => (p.field ? [[`%${p.name}%`, p.field] as const] : [])),
);

// One pattern per marker table, built on first use: personalize() compiles usernames and hosts on every request.
const patterns = new WeakMap<object, RegExp>();

function markerPattern(markers: Record<string, string>): RegExp {
  let pattern = patterns.get(markers);
  if (!pattern) {
    pattern = new RegExp(Object.keys(markers).map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
    patterns.set(markers, pattern);
  }
  return pattern;
}

/** Splits `template` at every occurrence of the markers (e.g. `%EMAILADDRESS%` -> 'address'). */
export function compileTemplate<K extends string = AddressField>(template: string, markers: Record<string, K> = ADDRESS_MARKERS as Record<string, K>): CompiledTemplate<K> {
  // matchAll iterates over a copy of the pattern, so the shared one keeps no state between calls.
  const pattern = markerPattern(markers);
  const parts: string[] = [];
  const slots: K[] = [];
  let last = 0;
  for (const match of template.matchAll(pattern)) {
    parts.push(template.slice(last, match.index));
    slots.push(markers[match[0]]!);
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  return { parts, slots };
}

/**
 * Fills the slots in one go (so a value that itself looks like a marker, e.g. an address `%EMAILDOMAIN%@x`, is not
 * substituted again); %REALNAME% is no marker and stays for the client. `encode` escapes values for the format.
 */
export function fillCompiled<K extends string>(template: CompiledTemplate<K>, values: Record<K, string>, encode: (value: string) => string = (v) => v): string {
  let out = template.parts[0]!;
  for (let i = 0; i < template.slots.length; i++) out += encode(values[template.slots[i]!]) + template.parts[i + 1]!;
  return out;
}

export function fillTemplate(template: string, address: EmailAddress | undefined, encode?: (value: string) => string): string {
  return address ? fillCompiled(compileTemplate(template), address, encode) : template;
}

const NAMES = PLACEHOLDERS.map((p) => p.name).join('|');
const SPLIT = new RegExp(`(%(?:${NAMES})%)`);
const WELL_FORMED = new RegExp(`%(${NAMES})%`, 'g');
const WELL_FORMED_ANY_CASE = new RegExp(`%(${NAMES})%`, 'gi');
/** A known placeholder without its closing `%`, as found in public data. */
export const BROKEN_PLACEHOLDER = new RegExp(`%(${NAMES})(?!%)`);

/** A template as literal text and the placeholders between, in order (`%EMAILLOCALPART%@x` -> EMAILLOCALPART, '@x'). */
export function splitPlaceholders(template: string): Array<{ text: string } | { placeholder: PlaceholderName }> {
  return template
    .split(SPLIT)
    .filter((piece) => piece !== '')
    .map((piece) => {
      const known = PLACEHOLDERS.find((p) => piece === `%${p.name}%`);
      return known ? { placeholder: known.name } : { text: piece };
    });
}

/** Placeholder-like tokens that are not one of the known placeholders (e.g. `%EMAILADDRESS` without the closing %). */
export function brokenPlaceholders(template: string): string[] {
  return template.replace(WELL_FORMED, '').match(/%[A-Za-z]*%?/g) ?? [];
}

/** Repairs the broken placeholders seen in public data (`%EMAILADDRESS` -> `%EMAILADDRESS%`). */
export function repairPlaceholders(template: string): string {
  return template.replace(new RegExp(BROKEN_PLACEHOLDER.source, 'g'), '%$1%');
}

/** Host names compare case-insensitively, but placeholders (`mail.%EMAILDOMAIN%`) must keep their case. */
export function lowerCaseHost(host: string): string {
  return host.toLowerCase().replace(WELL_FORMED_ANY_CASE, (p) => p.toUpperCase());
}

/** The config with usernames filled in for one address (hostnames may carry %EMAILDOMAIN% too). */
export function personalize(config: MailConfig, address: EmailAddress | undefined): MailConfig {
  if (!address) return config;
  const fill = (server: ServerSettings): ServerSettings => ({
    ...server,
    host: fillTemplate(server.host, address),
    username: fillTemplate(server.username, address),
  });
  const personal: MailConfig = { ...config, servers: config.servers.map(fill) };
  // URL services carry placeholders in the URL (a per-user DAV path) as well as in the user name.
  if (config.services) personal.services = config.services.map((service) => ({ ...service, url: fillTemplate(service.url, address), username: fillTemplate(service.username, address) }));
  return personal;
}
