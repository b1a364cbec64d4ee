import t from 'tap';
import { AddressError, parseAddress, parseDomain, type AddressErrorCode } from '../../src/settings/address.js';
import { MailconfigError } from '../../src/settings/errors.js';

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

t.test('what is not an address is refused with a reason and its stable code', async (t) => {
  const cases: [string, RegExp, AddressErrorCode][] = [
    ['', /empty/, 'MAILCONFIG_ADDRESS_EMPTY'],
    ['alice', /no @/, 'MAILCONFIG_ADDRESS_NO_AT'],
    ['alice@', /domain is empty/, 'MAILCONFIG_ADDRESS_DOMAIN_EMPTY'],
    ['@example.org', /nothing before/, 'MAILCONFIG_ADDRESS_NO_LOCAL_PART'],
    ['al ice@example.org', /characters/, 'MAILCONFIG_ADDRESS_LOCAL_PART_CHARACTERS'],
    ['alice\u0000@example.org', /characters/, 'MAILCONFIG_ADDRESS_LOCAL_PART_CHARACTERS'],
    ['<x>@example.org', /characters/, 'MAILCONFIG_ADDRESS_LOCAL_PART_CHARACTERS'],
    ['alice@exa mple.org', /spaces/, 'MAILCONFIG_ADDRESS_DOMAIN_CHARACTERS'],
    ['alice@localhost', /dot/, 'MAILCONFIG_ADDRESS_DOMAIN_NO_DOT'],
    ['alice@1.2.3.4', /IP/, 'MAILCONFIG_ADDRESS_DOMAIN_IP'],
    ['alice@[1.2.3.4]', /literal/, 'MAILCONFIG_ADDRESS_DOMAIN_LITERAL'],
    ['a..b@example.org', /dot/, 'MAILCONFIG_ADDRESS_LOCAL_PART_DOT'],
    [`${'a'.repeat(65)}@example.org`, /64/, 'MAILCONFIG_ADDRESS_LOCAL_PART_TOO_LONG'],
    [`a@${'b'.repeat(250)}.org`, /254/, 'MAILCONFIG_ADDRESS_TOO_LONG'],
    ['alice@-bad-.org', /not a valid domain/, 'MAILCONFIG_ADDRESS_DOMAIN_INVALID'],
  ];
  for (const [input, reason, code] of cases) {
    t.throws(() => parseAddress(input), { name: 'AddressError', message: reason, code }, JSON.stringify(input));
  }
  t.throws(() => parseDomain(`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(20)}.org`), {
    code: 'MAILCONFIG_ADDRESS_DOMAIN_TOO_LONG',
  });
  const error = new AddressError('MAILCONFIG_ADDRESS_EMPTY', 'x');
  t.ok(error instanceof MailconfigError);
  t.equal(error.name, 'AddressError');
});

t.test('punycode labels are checked in any case', async (t) => {
  t.equal(parseAddress('a@XN--BCHER-KVA.de').domainUnicode, 'bücher.de');
  t.throws(() => parseAddress('a@XN--ZZ.de'), { name: 'AddressError' });
  t.throws(() => parseAddress('a@xn--zz.de'), { name: 'AddressError' });
});
