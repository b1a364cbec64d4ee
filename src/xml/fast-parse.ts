// A quick reader for the plain XML that provider files are made of (elements, attributes in double or single quotes,
// text, comments, the five predefined entities and character references), about ten times faster than the general
// parser. It never decides that a document is wrong: anything it is not sure of (CDATA, processing instructions,
// carriage returns, other entities, unusual names, a mismatched tag) makes it give up with `undefined`, and the
// general parser then reads the document (and reports its errors). What it returns is exactly what the general
// parser builds for the same text (test/xml/fast-parse.test.ts compares them).
import type { XmlElement } from './element.js';

/** The general parser nests at most this deep (maxNestedTags); deeper documents go to it for the error. */
const MAX_OPEN = 32;
/** The XML declaration in its common spellings; any other goes to the general parser. */
const DECLARATION = /^<\?xml version="1\.[01]"(?: encoding="[A-Za-z][A-Za-z0-9._-]*")?(?: standalone="(?:yes|no)")? ?\?>/;
const NAME = /[A-Za-z_][-A-Za-z0-9_.]*(?::[A-Za-z_][-A-Za-z0-9_.]*)?/y;
/** A value the general parser would not take as is: markup, carriage returns or other control characters. */
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const UNSURE_VALUE = /[<\u0000-\u0008\u000b-\u001f]/;
const AMPERSAND_OK = /^(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;
/** Names the general parser refuses (they would reach Object.prototype). */
const RESERVED = new Set(Object.getOwnPropertyNames(Object.prototype));

interface Open {
  element: XmlElement;
  texts: string[];
}

/** The document's root element, or `undefined` when the general parser has to decide. */
export function fastParseXml(text: string, decode: (value: string) => string): XmlElement | undefined {
  if (text.includes('\r')) return undefined;
  let pos = 0;
  let line = 1;
  /** Moves to `to`, counting the newlines passed. */
  const advance = (to: number) => {
    for (let i = text.indexOf('\n', pos); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) line++;
    pos = to;
  };
  if (text.startsWith('<?')) {
    const declaration = DECLARATION.exec(text);
    if (!declaration) return undefined;
    advance(declaration[0].length);
  }
  const stack: Open[] = [];
  let root: XmlElement | undefined;
  const readName = (at: number): string | undefined => {
    NAME.lastIndex = at;
    const match = NAME.exec(text);
    if (!match || RESERVED.has(match[0])) return undefined;
    return match[0];
  };
  /** Text since the last tag: comments do not end it (the general parser joins the text around a comment). */
  let pending = '';
  /** Hands the pending text to the open element; false when it cannot be taken as is. */
  const flush = (): boolean => {
    const trimmed = pending.trim();
    pending = '';
    if (trimmed === '') return true;
    const open = stack[stack.length - 1];
    if (!open || !plainValue(trimmed)) return false;
    open.texts.push(trimmed);
    return true;
  };
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const segmentEnd = lt === -1 ? text.length : lt;
    if (segmentEnd > pos) {
      pending += text.slice(pos, segmentEnd);
      advance(segmentEnd);
    }
    if (lt === -1) break;
    const next = text.charCodeAt(lt + 1);
    if (next === 0x21 /* ! */) {
      if (!text.startsWith('<!--', lt)) return undefined;
      const end = text.indexOf('-->', lt + 4);
      if (end === -1 || text.slice(lt + 4, end).includes('--')) return undefined;
      advance(end + 3);
      continue;
    }
    if (!flush()) return undefined;
    if (next === 0x2f /* / */) {
      const open = stack.pop();
      const name = readName(lt + 2);
      if (!open || name !== open.element.name) return undefined;
      let at = lt + 2 + name.length;
      while (isSpace(text.charCodeAt(at))) at++;
      if (text.charCodeAt(at) !== 0x3e /* > */) return undefined;
      open.element.text = detached(decode(open.texts.join('')).trim());
      advance(at + 1);
      if (stack.length === 0) root = open.element;
      continue;
    }
    // A start tag (or an empty-element tag).
    if (root) return undefined;
    const name = readName(lt + 1);
    if (name === undefined) return undefined;
    const colon = name.indexOf(':');
    const element: XmlElement = { name, localName: colon === -1 ? name : name.slice(colon + 1), attrs: {}, children: [], text: '', line };
    let at = lt + 1 + name.length;
    let selfClosing = false;
    for (;;) {
      const before = at;
      while (isSpace(text.charCodeAt(at))) at++;
      const c = text.charCodeAt(at);
      if (c === 0x3e /* > */) break;
      if (c === 0x2f /* / */) {
        if (text.charCodeAt(at + 1) !== 0x3e) return undefined;
        selfClosing = true;
        at++;
        break;
      }
      if (at === before) return undefined;
      const attr = readName(at);
      if (attr === undefined || Object.hasOwn(element.attrs, attr)) return undefined;
      at += attr.length;
      const quote = text.charCodeAt(at + 1);
      if (text.charCodeAt(at) !== 0x3d /* = */ || (quote !== 0x22 && quote !== 0x27)) return undefined;
      const close = text.indexOf(quote === 0x22 ? '"' : "'", at + 2);
      if (close === -1) return undefined;
      const value = text.slice(at + 2, close).trim();
      if (!plainValue(value) || value.includes('>')) return undefined;
      element.attrs[attr] = detached(decode(value));
      at = close + 1;
    }
    const parent = stack[stack.length - 1];
    if (parent) parent.element.children.push(element);
    advance(at + 1);
    if (selfClosing) {
      if (!parent) root = element;
    } else {
      if (stack.length >= MAX_OPEN) return undefined;
      stack.push({ element, texts: [] });
    }
  }
  return stack.length === 0 && flush() ? root : undefined;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09;
}

/** Text or an attribute value the general parser takes character for character: no markup, only known entities. */
function plainValue(value: string): boolean {
  if (UNSURE_VALUE.test(value)) return false;
  for (let i = value.indexOf('&'); i !== -1; i = value.indexOf('&', i + 1)) {
    if (!AMPERSAND_OK.test(value.slice(i + 1, i + 12))) return false;
  }
  return true;
}

/**
 * A copy of `value` that does not keep the whole document in memory: V8 makes a slice of 13 characters or more share
 * the characters of the text it was cut from, so one kept hostname would hold on to its provider file. Flattening a
 * concatenation copies the characters.
 */
function detached(value: string): string {
  return value.length < 13 ? value : (' ' + value).slice(1);
}
