// What people paste into the address field: "mailto:alice@example.org", "Alice <alice@example.org>", a trailing
// comma. Cleaned up to the bare address, not refused; a doubled @ gets its own reason and code.

import type { AddressErrorCode } from '../settings/address.js';

export type PastedAddress = { ok: true; value: string; changed: boolean } | { ok: false; code: AddressErrorCode; reason: string };

/** The English reason for `alice@@example.org` (logs); pages translate its code through reasons.ts. */
export const DOUBLE_AT_REASON = 'the e-mail address has two @ in a row';

export function cleanPastedAddress(raw: string): PastedAddress {
  let value = raw.trim();
  // "Alice Example <alice@example.org>" or "<alice@example.org>": the part in the last angle brackets.
  const angle = /<([^<>]*)>\s*$/.exec(value);
  if (angle?.[1] !== undefined && angle[1].includes('@')) value = angle[1].trim();
  if (/^mailto:/i.test(value)) {
    value = value.slice('mailto:'.length);
    const query = value.indexOf('?');
    if (query >= 0) value = value.slice(0, query);
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoded after all: keep it as typed.
    }
    value = value.trim();
  }
  // A comma or semicolon carried over from a list; quotes around the whole address. Dots and brackets stay: they
  // may be part of what was meant (`alice@[127.0.0.1]` gets its own reason from the parser).
  value = value.replace(/[,;]+$/, '').trim();
  const quoted = /^(["'])(.*)\1$/.exec(value);
  if (quoted?.[2] !== undefined) value = quoted[2].trim();
  if (value.includes('@@')) return { ok: false, code: 'MAILCONFIG_ADDRESS_DOUBLE_AT', reason: DOUBLE_AT_REASON };
  return { ok: true, value, changed: value !== raw.trim() };
}
