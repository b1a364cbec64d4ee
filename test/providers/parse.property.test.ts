// Properties of the provider file readers over any input: parseProvider (clientConfig XML) and providerXmlFromJson
// (the admin API's JSON) return problems or a config, never throw; a config comes only without errors; each problem
// has a line inside the file; and no problem message repeats markup or control characters from the file (problems are
// sent back by the admin API and printed by the CLI).
import t from 'tap';
import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUNDLED_PROVIDERS } from '../../src/config.js';
import { providerXmlFromJson } from '../../src/providers/json.js';
import { parseProvider } from '../../src/providers/parse.js';
import { escapeXml } from '../../src/xml/escape.js';
import { anyText, MARKERS, mutated, runs, unsafeEcho, withMarker } from '../helpers/properties.js';

const SAMPLES = await Promise.all(['posteo.de.xml', 't-online.de.xml', 'gmx.net.xml'].map((file) => readFile(join(BUNDLED_PROVIDERS, file), 'utf8')));

/** A sample file with one element's text or one attribute replaced by `value` (escaped, so the XML stays well-formed). */
function withValue(text: string, value: string, at: number): string {
  const slots = [...text.matchAll(/>([^<>\n]+)</g), ...text.matchAll(/="([^"]*)"/g)];
  const slot = slots[at % slots.length]!;
  const start = slot.index + slot[0].indexOf(slot[1]!);
  return text.slice(0, start) + escapeXml(value) + text.slice(start + slot[1]!.length);
}

const hostile = fc.oneof(withMarker(anyText(40)), anyText(60), fc.constantFrom(...MARKERS));
const files = fc.oneof(
  anyText(300),
  mutated(fc.constantFrom(...SAMPLES), 3),
  fc.tuple(fc.constantFrom(...SAMPLES), hostile, fc.nat()).map(([text, value, at]) => withValue(text, value, at)),
  fc.tuple(fc.constantFrom(...SAMPLES), fc.array(fc.tuple(hostile, fc.nat()), { minLength: 2, maxLength: 5 })).map(([text, edits]) => edits.reduce((out, [value, at]) => withValue(out, value, at), text)),
  // An element or attribute named like markup: well-formed XML, unknown to the schema.
  fc.tuple(fc.constantFrom(...SAMPLES), fc.constantFrom('script', 'img', 'svg', 'a:script')).map(([text, name]) => text.replace('<domain>', `<${name} onerror="alert(1)">x</${name}><domain>`)),
  fc.constantFrom('<script>x</script>', '<img src="x"/>'),
);

function checkProblems(problems: { line: number; message: string; severity: string }[], text: string, lines: number): void {
  for (const problem of problems) {
    if (!Number.isInteger(problem.line) || problem.line < 1 || problem.line > lines) throw new Error(`line ${problem.line} outside the file (${lines} lines): ${problem.message}`);
    const unsafe = unsafeEcho(problem.message, text);
    if (unsafe) throw new Error(`${unsafe}: ${JSON.stringify(problem.message)}`);
    for (const marker of ['<script', '<img', '<svg', 'onerror=', 'onload=']) if (problem.message.includes(marker)) throw new Error(`repeats ${marker}: ${JSON.stringify(problem.message)}`);
  }
}

t.test('parseProvider: a config only without errors, problems with a line in the file and no echoed markup', async (t) => {
  fc.assert(
    fc.property(files, (text) => {
      const result = parseProvider(text, { file: 'fuzz.xml' });
      if (result.config && result.problems.some((p) => p.severity === 'error')) throw new Error('a config despite errors');
      checkProblems(result.problems, text, text.split('\n').length);
    }),
    { numRuns: runs(1500) },
  );
  t.pass('held');
});

/** JSON values of any shape, with strings that carry markup. */
const jsonValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.oneof(hostile, fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom('id', 'domains', 'servers', 'protocol', 'host', 'port', 'security', 'auth', 'username', 'config', '__proto__', 'constructor'), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 5 }),
  ),
})).value;

const SERVER = { protocol: 'imap', host: 'imap.example.org', port: 993, security: 'tls', auth: ['password-cleartext'], username: '%EMAILADDRESS%' };
const near = fc.tuple(fc.constantFrom('id', 'domains', 'servers', 'host', 'port', 'security', 'auth', 'username', 'protocol', 'displayName'), jsonValue).map(([key, value]) => {
  const server: Record<string, unknown> = { ...SERVER };
  const doc: Record<string, unknown> = { id: 'example.org', domains: ['example.org'], servers: [server] };
  if (key in server) server[key] = value;
  else doc[key] = value;
  return JSON.stringify(doc);
});

t.test('providerXmlFromJson: XML the parser reads, or problems by JSON path; never an exception, no echoed markup', async (t) => {
  fc.assert(
    fc.property(fc.oneof(anyText(200), jsonValue.map((v) => JSON.stringify(v) ?? 'null'), near, mutated(near, 3)), (text) => {
      const result = providerXmlFromJson(text, 'example.org');
      if (result.ok) {
        // The rendered XML is well-formed: the parser reads it (its own problems are the caller's to report).
        const parsed = parseProvider(result.xml, { file: 'example.org.xml' });
        checkProblems(parsed.problems, text, result.xml.split('\n').length);
        return;
      }
      if (result.kind === 'syntax') return;
      for (const problem of result.problems) {
        if (!problem.path.startsWith('$')) throw new Error(`path ${problem.path}`);
        const unsafe = unsafeEcho(problem.message, text);
        if (unsafe) throw new Error(`${unsafe}: ${JSON.stringify(problem.message)}`);
      }
    }),
    { numRuns: runs(1500) },
  );
  t.pass('held');
});
