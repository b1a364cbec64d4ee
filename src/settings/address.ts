import { domainToASCII, domainToUnicode } from 'node:url';
import { MailconfigError } from './errors.js';
import { quoteInput } from './quote.js';

/** A checked e-mail address: domain in ASCII (punycode) for lookups, Unicode for people. */
export interface EmailAddress {
  localPart: string;
  /** ASCII, lower case: the form used for lookups and placed into usernames. */
  domain: string;
  /** The same domain in Unicode, for pages people read. */
  domainUnicode: string;
  /** `localPart@domain` with the ASCII domain. */
  address: string;
}

/**
 * Why an address or domain was refused, one code per reason. The message is an English sentence for logs and API
 * answers; pages translate by code (src/web/reasons.ts). The last three are about how the address arrived in a URL
 * (src/http/address.ts, src/http/server.ts), not the address itself.
 */
export const ADDRESS_ERROR_CODES = [
  'MAILCONFIG_ADDRESS_EMPTY',
  'MAILCONFIG_ADDRESS_TOO_LONG',
  'MAILCONFIG_ADDRESS_NO_AT',
  // Found where pasted addresses are cleaned up (src/web/pasted-address.ts): alice@@example.org.
  'MAILCONFIG_ADDRESS_DOUBLE_AT',
  'MAILCONFIG_ADDRESS_NO_LOCAL_PART',
  'MAILCONFIG_ADDRESS_LOCAL_PART_TOO_LONG',
  'MAILCONFIG_ADDRESS_LOCAL_PART_CHARACTERS',
  'MAILCONFIG_ADDRESS_LOCAL_PART_DOT',
  'MAILCONFIG_ADDRESS_DOMAIN_EMPTY',
  'MAILCONFIG_ADDRESS_DOMAIN_CHARACTERS',
  'MAILCONFIG_ADDRESS_DOMAIN_LITERAL',
  'MAILCONFIG_ADDRESS_DOMAIN_INVALID',
  'MAILCONFIG_ADDRESS_DOMAIN_TOO_LONG',
  'MAILCONFIG_ADDRESS_DOMAIN_NO_DOT',
  'MAILCONFIG_ADDRESS_DOMAIN_IP',
  'MAILCONFIG_ADDRESS_URL_ENCODING',
  'MAILCONFIG_ADDRESS_URL_TWO_ADDRESSES',
  'MAILCONFIG_ADDRESS_URL_TOO_LONG',
] as const;
export type AddressErrorCode = (typeof ADDRESS_ERROR_CODES)[number];

export class AddressError extends MailconfigError {
  declare readonly code: AddressErrorCode;

  constructor(code: AddressErrorCode, message: string) {
    super(code, message);
  }
}

const MAX_ADDRESS = 254;
const PLAIN_ASCII = /^(?!.*(?:^|\.)xn--)[a-z0-9._-]+$/i;
const MAX_LOCAL = 64;
// Printable ASCII and any non-ASCII (SMTPUTF8), minus what makes an address ambiguous or dangerous in markup.
// eslint-disable-next-line no-control-regex -- refusing control characters is the point here
const FORBIDDEN_LOCAL = /[\s\u0000-\u001f\u007f<>()[\]\\,;:@"]/u;

/** Parses what a person typed (or a client sent) as an address; throws AddressError with a reason. */
export function parseAddress(input: string): EmailAddress {
  const raw = input.trim();
  if (raw === '') throw new AddressError('MAILCONFIG_ADDRESS_EMPTY', 'the e-mail address is empty');
  if (raw.length > MAX_ADDRESS) throw new AddressError('MAILCONFIG_ADDRESS_TOO_LONG', `the e-mail address is longer than ${MAX_ADDRESS} characters`);
  const at = raw.lastIndexOf('@');
  if (at < 0) throw new AddressError('MAILCONFIG_ADDRESS_NO_AT', 'the e-mail address has no @');
  const localPart = raw.slice(0, at);
  const domainInput = raw.slice(at + 1);
  if (localPart === '') throw new AddressError('MAILCONFIG_ADDRESS_NO_LOCAL_PART', 'the e-mail address has nothing before the @');
  if (localPart.length > MAX_LOCAL) throw new AddressError('MAILCONFIG_ADDRESS_LOCAL_PART_TOO_LONG', `the part before the @ is longer than ${MAX_LOCAL} characters`);
  if (FORBIDDEN_LOCAL.test(localPart)) throw new AddressError('MAILCONFIG_ADDRESS_LOCAL_PART_CHARACTERS', 'the part before the @ contains characters an address cannot have');
  if (localPart.startsWith('.') || localPart.endsWith('.') || localPart.includes('..')) {
    throw new AddressError('MAILCONFIG_ADDRESS_LOCAL_PART_DOT', 'the part before the @ has a misplaced dot');
  }
  const domain = parseDomain(domainInput);
  return { localPart, domain, domainUnicode: unicodeDomain(domain), address: `${localPart}@${domain}` };
}

/** An address when the input has an @, else a bare domain (the CLI commands accept either); throws AddressError. */
export function parseAddressOrDomain(input: string): { domain: string; address?: EmailAddress } {
  if (!input.includes('@')) return { domain: parseDomain(input) };
  const address = parseAddress(input);
  return { domain: address.domain, address };
}

/** Normalizes a domain name to lower-case ASCII (punycode); throws AddressError when it is not a mail domain. */
export function parseDomain(input: string): string {
  const trimmed = input.trim().replace(/\.$/, '');
  if (trimmed === '') throw new AddressError('MAILCONFIG_ADDRESS_DOMAIN_EMPTY', 'the domain is empty');
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point here
  if (/[\s\u0000-\u001f\u007f]/u.test(trimmed)) throw new AddressError('MAILCONFIG_ADDRESS_DOMAIN_CHARACTERS', 'the domain contains spaces or control characters');
  if (trimmed.startsWith('[')) throw new AddressError('MAILCONFIG_ADDRESS_DOMAIN_LITERAL', 'address literals ([1.2.3.4]) are not supported');
  // Plain ASCII names (nearly all) need no IDNA conversion; anything else, or a punycode label, goes through it.
  const ascii = PLAIN_ASCII.test(trimmed) ? trimmed.toLowerCase() : domainToASCII(trimmed).toLowerCase();
  if (ascii === '') throw new AddressError('MAILCONFIG_ADDRESS_DOMAIN_INVALID', `${quoteInput(trimmed, 'the domain')} is not a valid domain name`);
  if (ascii.length > 253) throw new AddressError('MAILCONFIG_ADDRESS_DOMAIN_TOO_LONG', 'the domain is longer than 253 characters');
  const labels = ascii.split('.');
  if (labels.length < 2) throw new AddressError('MAILCONFIG_ADDRESS_DOMAIN_NO_DOT', 'the domain needs at least one dot (like example.org)');
  for (const label of labels) {
    if (!/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label)) {
      throw new AddressError('MAILCONFIG_ADDRESS_DOMAIN_INVALID', `${quoteInput(trimmed, 'the domain')} is not a valid domain name`);
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) throw new AddressError('MAILCONFIG_ADDRESS_DOMAIN_IP', 'IP addresses are not mail domains');
  return ascii;
}

/** The Unicode form of an ASCII domain, for display. */
export function unicodeDomain(ascii: string): string {
  return ascii.includes('xn--') ? domainToUnicode(ascii) || ascii : ascii;
}
