import type { AddressErrorCode } from '../settings/address.js';
import type { MessageKey } from './i18n/index.js';

// AddressError messages are English sentences made for logs and API answers; pages show the reason in the visitor's
// language, chosen by the error's code. A Record over every code: a new reason does not compile without its text.
const REASONS: Readonly<Record<AddressErrorCode, MessageKey>> = {
  MAILCONFIG_ADDRESS_EMPTY: 'reason.empty',
  MAILCONFIG_ADDRESS_TOO_LONG: 'reason.tooLong',
  MAILCONFIG_ADDRESS_NO_AT: 'reason.noAt',
  MAILCONFIG_ADDRESS_DOUBLE_AT: 'reason.doubleAt',
  MAILCONFIG_ADDRESS_NO_LOCAL_PART: 'reason.noLocal',
  MAILCONFIG_ADDRESS_LOCAL_PART_TOO_LONG: 'reason.localTooLong',
  MAILCONFIG_ADDRESS_LOCAL_PART_CHARACTERS: 'reason.localChars',
  MAILCONFIG_ADDRESS_LOCAL_PART_DOT: 'reason.localDot',
  MAILCONFIG_ADDRESS_DOMAIN_EMPTY: 'reason.domainEmpty',
  MAILCONFIG_ADDRESS_DOMAIN_CHARACTERS: 'reason.domainChars',
  MAILCONFIG_ADDRESS_DOMAIN_LITERAL: 'reason.literal',
  MAILCONFIG_ADDRESS_DOMAIN_INVALID: 'reason.domainInvalid',
  MAILCONFIG_ADDRESS_DOMAIN_TOO_LONG: 'reason.domainTooLong',
  MAILCONFIG_ADDRESS_DOMAIN_NO_DOT: 'reason.domainNoDot',
  MAILCONFIG_ADDRESS_DOMAIN_IP: 'reason.ip',
  // How the address arrived in the URL (src/http/address.ts, src/http/server.ts), not the address itself.
  MAILCONFIG_ADDRESS_URL_ENCODING: 'reason.urlEncoding',
  MAILCONFIG_ADDRESS_URL_TWO_ADDRESSES: 'reason.twoAddresses',
  MAILCONFIG_ADDRESS_URL_TOO_LONG: 'reason.urlTooLong',
};

/** The catalogue key that explains an address error with this code. */
export function reasonKey(code: AddressErrorCode): MessageKey {
  return REASONS[code];
}
