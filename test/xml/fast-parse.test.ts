// The quick reader must build exactly the tree the general reader builds, or give up: it never accepts a document
// the general reader refuses and never reads one differently.
import t from 'tap';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fastParseXml } from '../../src/xml/fast-parse.js';
import { decodeEntities, parseXmlGeneral, XmlError, type XmlElement } from '../../src/xml/parse.js';
import { BUNDLED_PROVIDERS } from '../../src/config.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

const decode = decodeEntities;

function general(text: string): XmlElement | XmlError {
  try {
    return parseXmlGeneral(text);
  } catch (error) {
    if (error instanceof XmlError) return error;
    throw error;
  }
}

function xmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return xmlFiles(path);
    return entry.name.endsWith('.xml') ? [path] : [];
  });
}

t.test('every bundled provider file takes the quick reader and reads as the general reader reads it', async (t) => {
  const files = xmlFiles(BUNDLED_PROVIDERS);
  t.ok(files.length > 100);
  const slow: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const quick = fastParseXml(text, decode);
    if (!quick) {
      slow.push(file);
      continue;
    }
    if (!isDeepStrictEqual(quick, general(text))) t.fail(`${file} reads differently`);
  }
  t.same(slow, [], 'no bundled file needs the general reader');
});

t.test('test fixtures, good and bad: whatever the quick reader accepts the general reader reads the same', async (t) => {
  let accepted = 0;
  let refused = 0;
  for (const file of xmlFiles(FIXTURES)) {
    const text = readFileSync(file, 'utf8');
    const quick = fastParseXml(text, decode);
    const slow = general(text);
    if (quick) {
      accepted++;
      if (!isDeepStrictEqual(quick, slow)) t.fail(`${file} reads differently`);
    } else if (slow instanceof XmlError) refused++;
  }
  t.ok(accepted > 10, `${accepted} fixtures read quickly`);
  t.ok(refused > 0, `${refused} malformed fixtures left to the general reader`);
});

// Documents from a small grammar with the constructs that matter (names with prefixes and reserved words, both quote
// kinds, entities good and bad, comments between text, whitespace and newlines everywhere, CDATA, processing
// instructions, carriage returns), then randomly damaged.
/** Mostly the plain case, sometimes the odd one: enough plain documents to compare, enough odd ones to refuse. */
const mostly = <T,>(plain: T[], odd: T[]) => fc.oneof({ arbitrary: fc.constantFrom(...plain), weight: 12 }, { arbitrary: fc.constantFrom(...odd), weight: 1 });
const names = mostly(['a', 'b', 'x:y', 'domain', 'Item', '_u', 'n.1', 'a-b'], ['__proto__', 'constructor', 'toString', '1a', 'é', 'a:b:c', ':a', 'a b']);
const space = mostly(['', ' ', '\n', '  \n  ', '\t'], ['\r\n', '\r', '\u00a0']);
const textPiece = mostly(
  ['x', ' text ', 'a &amp; b', '&lt;', '&#233;', '&#x41;', '>', '"\'', '\u00e9', '%EMAILADDRESS%', '<!-- c -->', '\n', ' ', '<!---->'],
  ['&bogus;', '& ', ']]>', '\u0001', '<!-- a -- b -->', '<![CDATA[c]]>', '<?pi x?>', '<!-- a --->', '&#0;', '&#xFFFFFF;', '\r'],
);
const attrValue = mostly(['v', ' v ', '', 'a&amp;b', '\n', 'https://x.example/?a=1&amp;b=2', '&#10;', '%EMAILDOMAIN%'], ['a&b', 'a<b', 'a>b', '\u0002']);
const attribute = fc
  .tuple(names, space, attrValue, fc.constantFrom('"', "'"), mostly(['='], [' = ', '', '= ']))
  .map(([name, sp, value, quote, eq]) => ` ${sp}${name}${eq}${quote}${value.replaceAll(quote, '')}${quote}`);
const { element } = fc.letrec<{ element: string }>((tie) => ({
  element: fc
    .tuple(names, fc.array(attribute, { maxLength: 3 }), fc.array(fc.oneof({ arbitrary: textPiece, weight: 2 }, { arbitrary: tie('element'), weight: 1 }), { maxLength: 4 }), space, fc.boolean(), mostly([false], [true]))
    .map(([name, attrs, content, sp, empty, mismatch]) =>
      empty && content.length === 0 ? `<${name}${attrs.join('')}${sp}/>` : `<${name}${attrs.join('')}${sp}>${content.join('')}</${mismatch ? 'zz' : name}${sp}>`,
    ),
}));
const prolog = mostly(['', '<?xml version="1.0" encoding="UTF-8"?>\n', '<?xml version="1.0"?>', '<!-- head -->\n', '<?xml version="1.0"?><!-- c -->\n', '\n'], [' <?xml version="1.0"?>', '\uFEFF', '<?xml version="1.0" standalone="maybe"?>', '<?xml?>']);
const epilog = mostly(['', '\n', '<!-- tail -->', '\n\n'], ['<b/>', 'x', '<?pi?>']);
const document = fc.tuple(prolog, element, epilog).map(([head, body, tail]) => `${head}${body}${tail}`);
const damaged = fc.tuple(document, fc.nat(), fc.constantFrom('', '<', '>', '/', '"', '&', '-', '\n', 'a')).map(([text, at, insert]) => {
  const i = at % (text.length + 1);
  return `${text.slice(0, i)}${insert}${text.slice(i + 1)}`;
});

t.test('generated documents: the quick reader agrees with the general reader or gives up', async (t) => {
  let accepted = 0;
  let runs = 0;
  fc.assert(
    fc.property(fc.oneof(document, damaged), (text) => {
      runs++;
      const quick = fastParseXml(text, decode);
      if (!quick) return true;
      accepted++;
      return isDeepStrictEqual(quick, general(text));
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 20_000) },
  );
  // A property that the quick reader passes by always giving up would prove nothing.
  t.ok(accepted > runs / 20, `${accepted} of ${runs} generated documents read quickly`);
});

t.test('the line of each element is the line of its start tag', async (t) => {
  const root = fastParseXml('<?xml version="1.0"?>\n<!-- one\ntwo -->\n<a\n  k="1">\n  <b/>\n  text\n  <c>\n  </c>\n</a>\n', decode);
  t.equal(root?.line, 4);
  t.same(root?.children.map((c) => [c.name, c.line]), [['b', 6], ['c', 8]]);
  t.equal(root?.text, 'text');
});
