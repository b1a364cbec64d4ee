import t from 'tap';
import { AddressError, parseAddress, parseDomain } from '../../src/settings/address.js';

t.test('normal addresses', async (t) => {
  const a = parseAddress(' Alice.B+tag@Example.ORG ');
  t.equal(a.localPart, 'Alice.B+tag');
  t.equal(a.domain, 'example.org');
  t.equal(a.address, 'Alice.B+tag@example.org');
});

t.test('IDN domains become punycode, with the Unicode form kept for people', async (t) => {
  const a = parseAddress('jörg@bücher.de');
  t.equal(a.domain, 'xn--bcher-kva.de');
  t.equal(a.domainUnicode, 'bücher.de');
  t.equal(parseDomain('XN--BCHER-KVA.DE.'), 'xn--bcher-kva.de');
});

t.test('what is not an address is refused with a reason', async (t) => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['alice', /no @/],
    ['alice@', /domain is empty/],
    ['@example.org', /nothing before/],
    ['al ice@example.org', /characters/],
    ['alice\u0000@example.org', /characters/],
    ['<x>@example.org', /characters/],
    ['alice@exa mple.org', /spaces/],
    ['alice@localhost', /dot/],
    ['alice@1.2.3.4', /IP/],
    ['alice@[1.2.3.4]', /literal/],
    ['a..b@example.org', /dot/],
    [`${'a'.repeat(65)}@example.org`, /64/],
    [`a@${'b'.repeat(250)}.org`, /254/],
    ['alice@-bad-.org', /not a valid domain/],
  ];
  for (const [input, reason] of cases) {
    t.throws(() => parseAddress(input), { name: 'AddressError', message: reason }, JSON.stringify(input));
  }
  t.ok(new AddressError('x') instanceof Error);
});

t.test('punycode labels are checked in any case', async (t) => {
  t.equal(parseAddress('a@XN--BCHER-KVA.de').domainUnicode, 'bücher.de');
  t.throws(() => parseAddress('a@XN--ZZ.de'), { name: 'AddressError' });
  t.throws(() => parseAddress('a@xn--zz.de'), { name: 'AddressError' });
});
