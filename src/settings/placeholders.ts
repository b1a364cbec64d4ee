import type { EmailAddress } from './address.js';
import type { MailConfig, ServerSettings } from './model.js';

export const PLACEHOLDERS = ['%EMAILADDRESS%', '%EMAILLOCALPART%', '%EMAILDOMAIN%', '%REALNAME%'] as const;

const ADDRESS_PLACEHOLDER = /%(EMAILADDRESS|EMAILLOCALPART|EMAILDOMAIN)%/g;

/**
 * Replaces the address placeholders in one pass (so an address that itself looks like a placeholder is not
 * substituted again); %REALNAME% stays for the client to fill in. `encode` escapes values for the target format.
 */
export function fillTemplate(template: string, address: EmailAddress | undefined, encode: (value: string) => string = (v) => v): string {
  if (!address) return template;
  return template.replace(ADDRESS_PLACEHOLDER, (_whole, name: string) =>
    encode(name === 'EMAILADDRESS' ? address.address : name === 'EMAILLOCALPART' ? address.localPart : address.domain),
  );
}

/** Placeholder-like tokens that are not one of the known placeholders (e.g. `%EMAILADDRESS` without the closing %). */
export function brokenPlaceholders(template: string): string[] {
  const wellFormed = template.replace(/%(EMAILADDRESS|EMAILLOCALPART|EMAILDOMAIN|REALNAME)%/g, '');
  return wellFormed.match(/%[A-Za-z]*%?/g) ?? [];
}

/** Repairs the broken placeholders seen in public data (`%EMAILADDRESS` -> `%EMAILADDRESS%`). */
export function repairPlaceholders(template: string): string {
  return template.replace(/%(EMAILADDRESS|EMAILLOCALPART|EMAILDOMAIN|REALNAME)(?!%)/g, '%$1%');
}

/** The config with usernames filled in for one address (hostnames may carry %EMAILDOMAIN% too). */
export function personalize(config: MailConfig, address: EmailAddress | undefined): MailConfig {
  if (!address) return config;
  const fill = (server: ServerSettings): ServerSettings => ({
    ...server,
    host: fillTemplate(server.host, address),
    username: fillTemplate(server.username, address),
  });
  return { ...config, servers: config.servers.map(fill) };
}
