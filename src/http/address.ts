import type { FastifyRequest } from 'fastify';
import { AddressError, parseAddress, type AddressErrorCode, type EmailAddress } from '../settings/address.js';

/** Reads the first present query parameter among `names`, whatever its case (clients differ: emailaddress, Email). */
export function queryParam(request: FastifyRequest, names: readonly string[]): string | undefined {
  // No query object at all on requests the router refused before parsing (see badUrl in server.ts).
  const query = (request.query ?? {}) as Record<string, string | string[] | undefined>;
  const wanted = names.map((n) => n.toLowerCase());
  for (const [key, value] of Object.entries(query)) {
    if (!wanted.includes(key.toLowerCase())) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/** A refused address: `reason` in English (logs, API, clients), `code` for pages that explain it in their language. */
export type AddressRefusal = { ok: false; code: AddressErrorCode; reason: string };
export type AddressParam = { ok: true; address: EmailAddress } | AddressRefusal | { ok: true; address: undefined };

/**
 * The address from the query, if given; a reason when it is not an address. Two different addresses, or one that is
 * not valid percent-encoding (which the query parser would keep as raw text, `%zz`), are refused, never guessed at.
 */
export function addressFromQuery(request: FastifyRequest, names: readonly string[]): AddressParam {
  const { values, malformed } = rawQueryValues(request, names);
  if (malformed) return { ok: false, code: 'MAILCONFIG_ADDRESS_URL_ENCODING', reason: 'the e-mail address in the URL is not correctly percent-encoded' };
  const given = [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
  if (given.length > 1) return { ok: false, code: 'MAILCONFIG_ADDRESS_URL_TWO_ADDRESSES', reason: 'the URL names more than one e-mail address' };
  return addressParam(given[0]);
}

/** Parses an address parameter (absent or empty: no address). */
export function addressParam(raw: string | undefined): AddressParam {
  if (raw === undefined || raw.trim() === '') return { ok: true, address: undefined };
  try {
    return { ok: true, address: parseAddress(raw) };
  } catch (error) {
    if (error instanceof AddressError) return { ok: false, code: error.code, reason: error.message };
    throw error;
  }
}

/** Every value of the named parameters (any case), decoded from the URL as sent; `malformed` if one does not decode. */
function rawQueryValues(request: FastifyRequest, names: readonly string[]): { values: string[]; malformed: boolean } {
  const queryAt = request.url.indexOf('?');
  const wanted = names.map((n) => n.toLowerCase());
  const values: string[] = [];
  let malformed = false;
  if (queryAt < 0) return { values, malformed };
  for (const pair of request.url.slice(queryAt + 1).split('&')) {
    const eq = pair.indexOf('=');
    const key = decodeQueryPart(eq < 0 ? pair : pair.slice(0, eq));
    if (key === undefined || !wanted.includes(key.toLowerCase())) continue;
    const value = decodeQueryPart(eq < 0 ? '' : pair.slice(eq + 1));
    if (value === undefined) malformed = true;
    else values.push(value);
  }
  return { values, malformed };
}

function decodeQueryPart(part: string): string | undefined {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
