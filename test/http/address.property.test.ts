// Properties of the query handling of src/http/address.ts over any URL query: addressFromQuery gives an address, no
// address, or a refusal with a listed code (never an exception), agrees with parseAddress on a single value, refuses
// broken percent-encoding and two different addresses, and its reasons never repeat the query's markup.
import t from 'tap';
import fc from 'fast-check';
import type { FastifyRequest } from 'fastify';
import { addressFromQuery, addressParam, queryParam } from '../../src/http/address.js';
import { ADDRESS_ERROR_CODES, parseAddress } from '../../src/settings/address.js';
import { anyText, mutated, runs, unsafeEcho, validAddress, withMarker } from '../helpers/properties.js';

const CODES: ReadonlySet<string> = new Set(ADDRESS_ERROR_CODES);
const NAMES = ['email', 'emailaddress'];

/** The part of a request the functions read: the raw URL and fastify's parsed query. */
function requestFor(search: string): FastifyRequest {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(search)) {
    const old = query[k];
    query[k] = old === undefined ? v : Array.isArray(old) ? [...old, v] : [old, v];
  }
  return { url: `/mail/config-v1.1.xml?${search}`, query } as unknown as FastifyRequest;
}

function encode(text: string): string {
  return [...text].map((c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c))).join('');
}

const values = fc.oneof(validAddress, mutated(validAddress), withMarker(validAddress), anyText(120));
const pair = fc.tuple(fc.constantFrom('email', 'EMAIL', 'emailaddress', 'EmailAddress', 'other', ''), values, fc.constantFrom('encoded', 'encoded', 'raw', 'broken')).map(([k, v, how]) => {
  const value = how === 'raw' ? v.replace(/[&#]/g, encodeURIComponent) : how === 'broken' ? `${encode(v)}%z` : encode(v);
  // What the value means once decoded (a raw value may hold `%2a` or `+`); broken when it does not decode.
  let text = v;
  let broken = how === 'broken';
  if (how === 'raw') {
    try {
      text = decodeURIComponent(value.replace(/\+/g, ' '));
    } catch {
      broken = true;
    }
  }
  return { key: k, text, part: `${k}=${value}`, broken };
});

t.test('addressFromQuery: an address, none, or a listed refusal; the reason repeats no markup', async (t) => {
  fc.assert(
    fc.property(fc.array(pair, { maxLength: 4 }), (pairs) => {
      const search = pairs.map((p) => p.part).join('&');
      const result = addressFromQuery(requestFor(search), NAMES);
      const named = pairs.filter((p) => NAMES.includes(p.key.toLowerCase()));
      if (!result.ok) {
        if (!CODES.has(result.code)) throw new Error(`unlisted code ${result.code}`);
        for (const p of named) {
          const unsafe = unsafeEcho(result.reason, p.text);
          if (unsafe) throw new Error(`${unsafe}: ${JSON.stringify(result.reason)}`);
        }
        return;
      }
      if (named.some((p) => p.broken)) throw new Error(`broken percent-encoding accepted: ${search}`);
      const given = new Set(named.map((p) => p.text.trim()).filter((v) => v !== ''));
      if (given.size > 1) throw new Error(`two addresses accepted: ${search}`);
      if (result.address === undefined) {
        if (given.size !== 0) throw new Error(`an address was given but none found: ${search}`);
        return;
      }
      // The one value given, parsed as parseAddress does.
      if (given.size !== 1 || parseAddress([...given][0]!).address !== result.address.address) throw new Error(`not the address given: ${search}`);
    }),
    { numRuns: runs(2000) },
  );
  t.pass('held');
});

t.test('queryParam and addressParam: any case of the name, any value; never an exception', async (t) => {
  fc.assert(
    fc.property(fc.array(pair, { maxLength: 4 }), values, (pairs, raw) => {
      const request = requestFor(pairs.map((p) => p.part).join('&'));
      const found = queryParam(request, NAMES);
      if (found !== undefined && typeof found !== 'string') throw new Error('not a string');
      const param = addressParam(raw);
      if (!param.ok) {
        const unsafe = unsafeEcho(param.reason, raw);
        if (unsafe) throw new Error(`${unsafe}: ${JSON.stringify(param.reason)}`);
      }
    }),
    { numRuns: runs(2000) },
  );
  t.pass('held');
});
