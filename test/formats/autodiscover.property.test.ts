// Properties of the Outlook POX request reader over any body: a parsed request or a refusal with one of the codes
// Autodiscover knows (never an exception), an accepted address that is what the body said, and a reason that never
// repeats the body's markup or control characters (it is sent back in DebugData and logged).
import t from 'tap';
import fc from 'fast-check';
import { addressFromLegacyDN, OUTLOOK_REQUEST_NS, OUTLOOK_RESPONSE_SCHEMA, parsePoxRequest, renderPoxError } from '../../src/formats/autodiscover.js';
import { parseXml } from '../../src/xml/parse.js';
import { escapeXml } from '../../src/xml/escape.js';
import { anyText, MARKERS, mutated, runs, unsafeEcho, validAddress, withMarker } from '../helpers/properties.js';

function pox(email: string, options: { schema?: string; ns?: string; prefix?: string; legacyDN?: string } = {}): string {
  const p = options.prefix ? `${options.prefix}:` : '';
  const xmlns = options.prefix ? `xmlns:${options.prefix}` : 'xmlns';
  const legacy = options.legacyDN === undefined ? '' : `<${p}LegacyDN>${options.legacyDN}</${p}LegacyDN>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<${p}Autodiscover ${xmlns}="${options.ns ?? OUTLOOK_REQUEST_NS}">
  <${p}Request>
    <${p}EMailAddress>${email}</${p}EMailAddress>${legacy}
    <${p}AcceptableResponseSchema>${options.schema ?? OUTLOOK_RESPONSE_SCHEMA}</${p}AcceptableResponseSchema>
  </${p}Request>
</${p}Autodiscover>`;
}

const validBody = fc.tuple(validAddress, fc.constantFrom(undefined, 'a', 'ns1'), fc.boolean()).map(([address, prefix, legacy]) =>
  pox(escapeXml(address), { ...(prefix ? { prefix } : {}), ...(legacy ? { legacyDN: `/o=Org/cn=Recipients/cn=${escapeXml(address)}` } : {}) }),
);

/** Bodies from nothing like XML to a valid request with a few edits; markup in the places a reason might quote. */
const bodies = fc.oneof(
  anyText(400),
  withMarker(anyText(80)),
  mutated(validBody, 3),
  mutated(validBody, 10),
  fc.tuple(fc.oneof(anyText(100), withMarker()), fc.constantFrom('email', 'schema', 'ns', 'legacy', 'root')).map(([value, where]) => {
    const escaped = escapeXml(value);
    switch (where) {
      case 'email':
        return pox(escaped);
      case 'schema':
        return pox('alice@example.org', { schema: escaped });
      case 'ns':
        return pox('alice@example.org', { schema: '', ns: escaped });
      case 'legacy':
        return pox('', { legacyDN: escaped });
      default:
        return `<${/^[A-Za-z_][\w.-]*$/.test(value) ? value : 'script'}><Request/></${/^[A-Za-z_][\w.-]*$/.test(value) ? value : 'script'}>`;
    }
  }),
  // An element named like markup: `<script>` is a well-formed root.
  fc.constantFrom(...MARKERS, '<script><Request><EMailAddress>a@example.org</EMailAddress></Request></script>', '<img src="x"/>'),
);

t.test('any body: a request or a refusal with an Autodiscover code, and a reason without echoed markup', async (t) => {
  fc.assert(
    fc.property(bodies, (body) => {
      const parsed = parsePoxRequest(body);
      if (parsed.ok) {
        // The accepted address is in the body (as sent, or escaped).
        const { localPart } = parsed.address;
        if (!body.includes(localPart) && !body.includes(escapeXml(localPart))) throw new Error(`address ${parsed.address.address} is not in the body`);
        return;
      }
      if (![500, 600, 601].includes(parsed.code)) throw new Error(`code ${parsed.code}`);
      const unsafe = unsafeEcho(parsed.reason, body);
      if (unsafe) throw new Error(`${unsafe}: ${JSON.stringify(parsed.reason)}`);
      for (const marker of ['<script', '<img', '<svg']) if (parsed.reason.includes(marker)) throw new Error(`reason repeats ${marker}: ${parsed.reason}`);
      // The error document around the reason is well-formed XML whatever the reason says.
      parseXml(renderPoxError(parsed.code, { time: new Date(0), id: 'req-1', debugData: parsed.reason }));
    }),
    { numRuns: runs(2000) },
  );
  t.pass('held');
});

t.test('addressFromLegacyDN: an address from the last cn= or the whole value, else undefined; never an exception', async (t) => {
  const dns = fc.oneof(
    anyText(200),
    withMarker(),
    fc.tuple(fc.array(fc.tuple(fc.constantFrom('o', 'ou', 'cn', 'CN'), anyText(20)), { maxLength: 4 }), fc.oneof(validAddress, anyText(40))).map(
      ([parts, last]) => `${parts.map(([k, v]) => `/${k}=${v}`).join('')}/cn=${last}`,
    ),
  );
  fc.assert(
    fc.property(dns, (dn) => {
      const address = addressFromLegacyDN(dn);
      if (address && !dn.includes(address.localPart)) throw new Error(`${address.address} is not from ${JSON.stringify(dn)}`);
    }),
    { numRuns: runs(2000) },
  );
  t.pass('held');
});
