import type { MessageKey } from './i18n/index.js';

// AddressError messages are English sentences made for logs and API answers; pages show them in the visitor's
// language. Each pattern matches one reason of src/settings/address.ts (test/web/i18n.test.ts keeps them in step).
const REASONS: ReadonlyArray<[RegExp, MessageKey]> = [
  [/^the e-mail address is empty/, 'reason.empty'],
  [/^the e-mail address is longer than/, 'reason.tooLong'],
  [/^the e-mail address has no @/, 'reason.noAt'],
  // src/web/pasted-address.ts
  [/^the e-mail address has two @ in a row/, 'reason.doubleAt'],
  [/^the e-mail address has nothing before the @/, 'reason.noLocal'],
  [/^the part before the @ is longer than/, 'reason.localTooLong'],
  [/^the part before the @ contains characters/, 'reason.localChars'],
  [/^the part before the @ has a misplaced dot/, 'reason.localDot'],
  [/^the domain is empty/, 'reason.domainEmpty'],
  [/^the domain contains spaces or control characters/, 'reason.domainChars'],
  [/^address literals/, 'reason.literal'],
  [/is not a valid domain name$/, 'reason.domainInvalid'],
  [/^the domain is longer than/, 'reason.domainTooLong'],
  [/^the domain needs at least one dot/, 'reason.domainNoDot'],
  [/^IP addresses are not mail domains/, 'reason.ip'],
  // How the address arrived in the URL (src/http/address.ts, src/http/server.ts), not the address itself.
  [/^the e-mail address in the URL is not correctly percent-encoded/, 'reason.urlEncoding'],
  [/^the URL names more than one e-mail address/, 'reason.twoAddresses'],
  [/^the address \(URL\) is not correctly percent-encoded/, 'reason.urlEncoding'],
  [/^the address \(URL\) is too long/, 'reason.urlTooLong'],
];

/** The catalogue key for an address error, or undefined for a reason the pages do not know yet (shown as is). */
export function reasonKey(message: string): MessageKey | undefined {
  return REASONS.find(([pattern]) => pattern.test(message))?.[1];
}
