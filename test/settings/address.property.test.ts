// Properties of the address and domain parsers over any input: a checked value or an AddressError with one of the
// listed codes (never another exception), results that are what they claim (lower-case ASCII labels, stable when
// parsed again), and refusals that never repeat the input's markup or control characters.
import t from 'tap';
import fc from 'fast-check';
import { ADDRESS_ERROR_CODES, AddressError, parseAddress, parseAddressOrDomain, parseDomain, unicodeDomain } from '../../src/settings/address.js';
import { quoteInput } from '../../src/settings/quote.js';
import { anyText, mutated, runs, unsafeEcho, validAddress, validDomain, withMarker } from '../helpers/properties.js';

const CODES: ReadonlySet<string> = new Set(ADDRESS_ERROR_CODES);

type Outcome<T> = { ok: true; value: T } | { ok: false; error: AddressError };

/** The parser's result, or its AddressError; any other exception fails the property. */
function attempt<T>(parse: () => T): Outcome<T> {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    if (error instanceof AddressError) return { ok: false, error };
    throw error;
  }
}

/** The refusal has a listed code and does not echo the input unsafely. */
function checkRefusal(error: AddressError, input: string): void {
  if (!CODES.has(error.code)) throw new Error(`unlisted code ${error.code}`);
  const unsafe = unsafeEcho(error.message, input);
  if (unsafe) throw new Error(`${unsafe}: ${JSON.stringify(error.message)}`);
}

const DOMAIN_SHAPE = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)+$/;

function checkDomain(domain: string): void {
  if (!DOMAIN_SHAPE.test(domain) || domain.length > 253) throw new Error(`not a lower-case ASCII domain: ${JSON.stringify(domain)}`);
  // Parsing the result again changes nothing, and the Unicode form leads back to it.
  if (parseDomain(domain) !== domain) throw new Error(`not stable: ${domain}`);
  if (parseDomain(unicodeDomain(domain)) !== domain) throw new Error(`Unicode form does not lead back: ${domain}`);
}

const domainInputs = fc.oneof(anyText(), withMarker(), mutated(validDomain), validDomain, fc.string({ maxLength: 300 }).map((s) => `${s}.org`));
const addressInputs = fc.oneof(anyText(), withMarker(), mutated(validAddress), validAddress, fc.tuple(anyText(80), validDomain).map(([local, domain]) => `${local}@${domain}`), fc.tuple(validAddress, withMarker()).map(([a, m]) => `${m}${a}`));

t.test('parseDomain: a lower-case ASCII domain or an AddressError that repeats no markup', async (t) => {
  fc.assert(
    fc.property(domainInputs, (input) => {
      const outcome = attempt(() => parseDomain(input));
      if (outcome.ok) checkDomain(outcome.value);
      else checkRefusal(outcome.error, input);
    }),
    { numRuns: runs(2000) },
  );
  t.pass('held');
});

t.test('parseAddress: a consistent address or an AddressError that repeats no markup', async (t) => {
  fc.assert(
    fc.property(addressInputs, (input) => {
      const outcome = attempt(() => parseAddress(input));
      if (!outcome.ok) return checkRefusal(outcome.error, input);
      const { localPart, domain, address } = outcome.value;
      checkDomain(domain);
      if (address !== `${localPart}@${domain}`) throw new Error(`address ${address} is not localPart@domain`);
      if (/[<>"\s]/u.test(localPart) || localPart.length > 64 || address.length > 254 + 200) throw new Error(`local part let through: ${JSON.stringify(localPart)}`);
      // The checked address parses to itself.
      const again = parseAddress(address);
      if (again.address !== address) throw new Error(`not stable: ${address} -> ${again.address}`);
    }),
    { numRuns: runs(2000) },
  );
  t.pass('held');
});

t.test('parseAddressOrDomain: agrees with the parser its input calls for', async (t) => {
  fc.assert(
    fc.property(fc.oneof(addressInputs, domainInputs), (input) => {
      const outcome = attempt(() => parseAddressOrDomain(input));
      if (!outcome.ok) return checkRefusal(outcome.error, input);
      const expected = input.includes('@') ? parseAddress(input).domain : parseDomain(input);
      if (outcome.value.domain !== expected) throw new Error(`domain ${outcome.value.domain}, expected ${expected}`);
    }),
    { numRuns: runs(1000) },
  );
  t.pass('held');
});

t.test('huge inputs are refused by length, not parsed for long', async (t) => {
  fc.assert(
    fc.property(fc.string({ minLength: 300, maxLength: 5000 }), fc.constantFrom('@', '.', 'a', '<'), (text, filler) => {
      const input = `${text}${filler.repeat(2000)}@example.org`;
      const outcome = attempt(() => parseAddress(input));
      if (outcome.ok) throw new Error('a 2000+ character address was accepted');
      checkRefusal(outcome.error, input);
      const domain = attempt(() => parseDomain(`${text}${filler.repeat(2000)}`));
      if (domain.ok) throw new Error('a 2000+ character domain was accepted');
      checkRefusal(domain.error, input);
    }),
    { numRuns: runs(100) },
  );
  t.pass('held');
});

t.test('quoteInput: quotes only short harmless text, else the fallback', async (t) => {
  fc.assert(
    fc.property(fc.oneof(anyText(), withMarker()), fc.integer({ min: 0, max: 300 }), (text, max) => {
      const quoted = quoteInput(text, 'FALLBACK', max);
      if (quoted === 'FALLBACK') return;
      if (quoted !== `"${text}"` || text.length > max) throw new Error(`quoted ${JSON.stringify(text)} as ${quoted}`);
      if (/[<>"'&\s]/u.test(text) || unsafeEcho(quoted, text)) throw new Error(`quoted unsafe text ${JSON.stringify(text)}`);
    }),
    { numRuns: runs(2000) },
  );
  t.pass('held');
});
