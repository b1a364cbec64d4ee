import type { FastifyRequest } from 'fastify';
import { AddressError, parseAddress, type EmailAddress } from '../settings/address.js';

/** Reads the first present query parameter among `names`, whatever its case (clients differ: emailaddress, Email). */
export function queryParam(request: FastifyRequest, names: readonly string[]): string | undefined {
  const query = request.query as Record<string, string | string[] | undefined>;
  const wanted = names.map((n) => n.toLowerCase());
  for (const [key, value] of Object.entries(query)) {
    if (!wanted.includes(key.toLowerCase())) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

export type AddressParam = { ok: true; address: EmailAddress } | { ok: false; reason: string } | { ok: true; address: undefined };

/** The address from the query, if given; a reason when it is not an address. */
export function addressFromQuery(request: FastifyRequest, names: readonly string[]): AddressParam {
  const raw = queryParam(request, names);
  if (raw === undefined || raw === '') return { ok: true, address: undefined };
  try {
    return { ok: true, address: parseAddress(raw) };
  } catch (error) {
    if (error instanceof AddressError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** The service's own base URL: configured, or from the request (for links and the V2 pointer). */
export function publicBaseUrl(request: FastifyRequest, configured: string | undefined): string {
  if (configured) return configured;
  const host = /^[A-Za-z0-9.:[\]-]+$/.test(request.host) ? request.host : 'localhost';
  return `${request.protocol}://${host}`;
}
