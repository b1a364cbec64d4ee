// Properties of the untrusted-XML parser: any text gives an element tree or an XmlError (never another exception),
// with a line inside the document and a message that does not repeat planted markup; what escapeXml writes, it reads
// back unchanged; size and depth limits hold for inputs far beyond them.
import t from 'tap';
import fc from 'fast-check';
import { parseXml, XmlError, type XmlElement } from '../../src/xml/parse.js';
import { escapeXml } from '../../src/xml/escape.js';
import { anyText, mutated, runs, unsafeEcho, withMarker } from '../helpers/properties.js';

const POX = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>alice@example.org</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>`;
const PROVIDER = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
    <!-- a comment --><![CDATA[ raw <text> ]]>
    <a:b xmlns:a="urn:x" k="1 &amp; 2 &#233; &#x1F600;"/>
  </emailProvider>
</clientConfig>`;

/** What parseXml gives, or its XmlError; any other exception fails the property. */
function attempt(text: string, limits?: { maxBytes?: number; maxDepth?: number }): { ok: true; root: XmlElement } | { ok: false; error: XmlError } {
  try {
    return { ok: true, root: parseXml(text, limits) };
  } catch (error) {
    if (error instanceof XmlError) return { ok: false, error };
    throw error;
  }
}

function lineCount(text: string): number {
  return text.split('\n').length;
}

function checkOutcome(text: string, limits?: { maxBytes?: number; maxDepth?: number }): void {
  const outcome = attempt(text, limits);
  if (outcome.ok) {
    const walk = (el: XmlElement, depth: number): void => {
      if (el.line < 1 || el.line > lineCount(text)) throw new Error(`element line ${el.line} outside the document`);
      if (depth > (limits?.maxDepth ?? 16)) throw new Error(`accepted depth ${depth}`);
      el.children.forEach((child) => walk(child, depth + 1));
    };
    walk(outcome.root, 1);
    return;
  }
  const { error } = outcome;
  if (error.code !== 'MAILCONFIG_XML_INVALID') throw new Error(`code ${error.code}`);
  if (!Number.isInteger(error.line) || error.line < 1 || error.line > lineCount(text)) throw new Error(`error line ${error.line} outside the document (${lineCount(text)} lines)`);
  if (error.message.length > 260) throw new Error(`message of ${error.message.length} characters`);
  const unsafe = unsafeEcho(error.message, text);
  if (unsafe) throw new Error(`${unsafe}: ${JSON.stringify(error.message)}`);
}

const documents = fc.oneof(
  anyText(400),
  withMarker(anyText(100)),
  mutated(fc.constantFrom(POX, PROVIDER), 4),
  mutated(fc.constantFrom(POX, PROVIDER), 12),
  // Tags and markup characters in a row: what trips a hand-rolled tokenizer.
  fc.array(fc.constantFrom('<', '>', '/', '<a>', '</a>', '<a/>', '<!--', '-->', '<![CDATA[', ']]>', '<?', '?>', '&', '&amp;', '&#', ';', '"', "'", '=', 'a', ' ', '\n', 'x:y', '__proto__', 'constructor', '<!DOCTYPE', '<!ENTITY'), { maxLength: 60 }).map((parts) => parts.join('')),
);

t.test('any text: an element tree or an XmlError with a line in the document and no echoed markup', async (t) => {
  fc.assert(fc.property(documents, (text) => checkOutcome(text)), { numRuns: runs(3000) });
  t.pass('held');
});

/** XML names: a letter or underscore, then letters, digits, `-`, `.`, `_`; optionally one prefix. */
const xmlName = fc.tuple(fc.option(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/), { nil: undefined }), fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,12}$/)).map(([prefix, local]) => (prefix ? `${prefix}:${local}` : local)).filter((name) => !/^xml/i.test(name));

interface Tree {
  name: string;
  attrs: [string, string][];
  text: string;
  children: Tree[];
}

/** A tree at most `levels` deep (the parser's own limit is 16). */
function treeOf(levels: number): fc.Arbitrary<Tree> {
  return fc.record({
    name: xmlName,
    attrs: fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), fc.string({ unit: 'grapheme', maxLength: 30 })), { maxLength: 3, selector: ([k]) => k }),
    text: fc.string({ unit: 'grapheme', maxLength: 40 }),
    children: levels <= 1 ? fc.constant([]) : fc.array(treeOf(levels - 1), { maxLength: 3 }),
  });
}
const tree = treeOf(4);

function serialize(node: Tree): string {
  const attrs = node.attrs.map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  return `<${node.name}${attrs}>${escapeXml(node.text)}${node.children.map(serialize).join('')}</${node.name}>`;
}

/** What the parser should read back: escapeXml drops what XML cannot carry; text is trimmed. */
function expected(value: string): string {
  // eslint-disable-next-line no-control-regex -- the characters escapeXml drops
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

function same(parsed: XmlElement, node: Tree, path: string): void {
  if (parsed.name !== node.name) throw new Error(`${path}: name ${parsed.name}, expected ${node.name}`);
  if (parsed.children.length !== node.children.length) throw new Error(`${path}: ${parsed.children.length} children, expected ${node.children.length}`);
  // The text of an element is its own text nodes joined; children's text is theirs.
  if (parsed.text !== expected(node.text).trim()) throw new Error(`${path}: text ${JSON.stringify(parsed.text)}, expected ${JSON.stringify(expected(node.text).trim())}`);
  for (const [k, v] of node.attrs) {
    // Attribute values: blanks at the ends are trimmed like text (trimValues).
    if (parsed.attrs[k] !== expected(v).trim()) throw new Error(`${path}: @${k} ${JSON.stringify(parsed.attrs[k])}, expected ${JSON.stringify(expected(v).trim())}`);
  }
  node.children.forEach((child, i) => same(parsed.children[i]!, child, `${path}/${child.name}`));
}

t.test('what escapeXml writes is read back: names, attributes and text of any Unicode', async (t) => {
  fc.assert(
    fc.property(tree, (node) => {
      const text = `<?xml version="1.0"?>\n${serialize(node)}`;
      const outcome = attempt(text);
      if (!outcome.ok) throw new Error(`refused its own kind of document: ${outcome.error.message}`);
      same(outcome.root, node, node.name);
    }),
    { numRuns: runs(1000) },
  );
  t.pass('held');
});

t.test('limits: too large or too deep is an XmlError, whatever the content', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 17, max: 400 }), fc.constantFrom('a', 'x:y', 'Request'), (depth, name) => {
      const deep = `${`<${name}>`.repeat(depth)}${`</${name}>`.repeat(depth)}`;
      const outcome = attempt(deep);
      if (outcome.ok) throw new Error(`accepted nesting ${depth}`);
    }),
    { numRuns: runs(100) },
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 4096 }), anyText(50), (maxBytes, filler) => {
      const text = `<a>${'x'.repeat(maxBytes)}${filler}</a>`;
      const outcome = attempt(text, { maxBytes });
      if (outcome.ok) throw new Error(`accepted ${Buffer.byteLength(text)} bytes over a limit of ${maxBytes}`);
      checkOutcome(text, { maxBytes });
    }),
    { numRuns: runs(200) },
  );
  t.pass('held');
});
