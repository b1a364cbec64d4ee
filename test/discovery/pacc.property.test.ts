// Properties of the PACC TXT record reader (parseDigestRecord) over any character-strings a DNS answer may hold: a
// digest of 32 bytes, or a reason that never repeats the record's markup or control characters (reasons are shown on
// the check page and in its JSON report).
import t from 'tap';
import fc from 'fast-check';
import { parseDigestRecord } from '../../src/discovery/pacc.js';
import { anyText, mutated, runs, unsafeEcho, withMarker } from '../helpers/properties.js';

const VALID = 'v=UAAC1; a=sha256; d=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=';
const strings = fc.oneof(
  fc.array(fc.oneof(anyText(80), withMarker(anyText(20))), { maxLength: 4 }),
  mutated(fc.constant(VALID), 4).map((s) => [s]),
  fc.tuple(mutated(fc.constant(VALID), 2), fc.nat()).map(([s, at]) => [s.slice(0, at % (s.length + 1)), s.slice(at % (s.length + 1))]),
  fc.tuple(fc.constantFrom('v', 'a', 'd', 'x'), withMarker()).map(([tag, value]) => [`${VALID}; ${tag}=${value}`]),
  fc.tuple(fc.constantFrom('v', 'a', 'x'), withMarker()).map(([tag, value]) => [VALID.replace(`${tag}=`, `${tag}=${value}`)]),
);

t.test('parseDigestRecord: 32 bytes, or a reason without the record\'s markup', async (t) => {
  fc.assert(
    fc.property(strings, (parts) => {
      const record = parseDigestRecord(parts);
      if (record.ok) {
        if (record.digest.length !== 32) throw new Error(`a digest of ${record.digest.length} bytes`);
        return;
      }
      const unsafe = unsafeEcho(record.reason, parts.join(''));
      if (unsafe) throw new Error(`${unsafe}: ${JSON.stringify(record.reason)}`);
      for (const marker of ['<script', '<img', '<svg']) if (record.reason.includes(marker)) throw new Error(`repeats ${marker}: ${record.reason}`);
    }),
    { numRuns: runs(3000) },
  );
  t.pass('held');
});
