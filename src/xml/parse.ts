import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MailconfigError } from '../settings/errors.js';
import { quoteInput } from '../settings/quote.js';
import type { XmlElement } from './element.js';
import { fastParseXml } from './fast-parse.js';

export type { XmlElement } from './element.js';

/** The document is not XML we accept (malformed, DOCTYPE, too big or too deep); `line` is where, 1-based. */
export class XmlError extends MailconfigError {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super('MAILCONFIG_XML_INVALID', message);
  }
}

export interface XmlLimits {
  maxBytes?: number;
  maxDepth?: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  captureMetaData: true,
  // Entities are decoded by us (only the five predefined ones and character references): no expansion bombs.
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
  maxNestedTags: 32,
});
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

/**
 * Parses untrusted XML into an element tree. Refuses DOCTYPE (and with it every entity trick), oversized input and
 * anything not well-formed, with the line of the problem.
 */
export function parseXml(text: string, limits: XmlLimits = {}): XmlElement {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  if (Buffer.byteLength(text) > maxBytes) throw new XmlError(`document is larger than ${maxBytes} bytes`, 1);
  const doctype = /<!DOCTYPE/i.exec(text);
  if (doctype) throw new XmlError('DOCTYPE and entity declarations are not allowed', lineAt(text, doctype.index));
  // Plain documents (every provider file) take the quick reader; it gives up on anything the parser must judge.
  const quick = fastParseXml(text, decodeEntities);
  if (quick) {
    if (depth(quick) > (limits.maxDepth ?? 16)) throw new XmlError('document is nested too deeply', quick.line);
    return quick;
  }
  return parseXmlGeneral(text, limits);
}

/** The general reader (fast-xml-parser) alone; parseXml's size and DOCTYPE checks come first. */
export function parseXmlGeneral(text: string, limits: XmlLimits = {}): XmlElement {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlError(parserMessage(valid.err.msg), valid.err.line);
  let nodes: unknown[];
  try {
    nodes = parser.parse(text) as unknown[];
  } catch (error) {
    // The parser refuses deep nesting and names like __proto__ by throwing a plain Error: still the document's fault.
    const message = error instanceof Error ? error.message : String(error);
    if (/nested/i.test(message)) throw new XmlError('document is nested too deeply', 1);
    const name = /"([^"]+)"/.exec(message)?.[1];
    const at = name === undefined ? -1 : text.indexOf(name);
    throw new XmlError(name === undefined ? parserMessage(message) : `the name ${quoteInput(name, '(not repeated)')} is not allowed`, at < 0 ? 1 : lineAt(text, at));
  }
  const lines = lineIndex(text);
  const roots = nodes.map((node) => toElement(node, lines)).filter((el): el is XmlElement => el !== undefined);
  const root = roots[0];
  if (!root) throw new XmlError('document has no root element', 1);
  if (roots.length > 1) throw new XmlError('document has more than one root element', roots[1]?.line ?? 1);
  if (depth(root) > (limits.maxDepth ?? 16)) throw new XmlError('document is nested too deeply', root.line);
  return root;
}

/**
 * The parser's message, safe to send back: it quotes names and characters from the document (`char '\u0000' is not
 * expected`, `Tag 'a"><img' is an invalid name`, the whole list of unclosed tags), so a quoted part is kept only when
 * it is a plain name or one visible character; a control character is named by its code point; anything else is left
 * out. Short enough for a log line or an answer.
 */
function parserMessage(message: string): string {
  if (/^Invalid '\[/.test(message)) return 'several elements are not closed';
  const quoted = message.replace(/'([^']*)'/g, (whole, inner: string) => {
    if (SAFE_NAME.test(inner)) return whole;
    const points = [...inner];
    if (points.length === 1) return CONTROL.test(inner) || /\s/u.test(inner) ? `U+${inner.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : whole;
    return '(not repeated)';
  });
  // A quote inside a quoted part pairs the quotes wrongly: whatever still has markup or control characters is not used.
  const unquoted = message.replace(/'[^']*'/g, '');
  if (CONTROL.test(unquoted) || /[<>"&]/.test(unquoted)) return 'not well-formed XML';
  const flat = quoted.replace(/\s+/g, ' ');
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/** A name as XML spells them (letters, digits, `.`, `-`, `_`, one `:`), short enough to repeat. */
const SAFE_NAME = /^[\p{L}\p{N}_][\p{L}\p{M}\p{N}._-]{0,63}(?::[\p{L}\p{N}_][\p{L}\p{M}\p{N}._-]{0,63})?$/u;
// eslint-disable-next-line no-control-regex -- finding control characters is the point here
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

function toElement(node: unknown, lines: LineIndex): XmlElement | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const record = node as Record<string, unknown>;
  const name = Object.keys(record).find((key) => key !== ':@' && key !== '#text');
  if (!name) return undefined;
  const body = Array.isArray(record[name]) ? (record[name] as unknown[]) : [];
  const attrsRaw = (record[':@'] ?? {}) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrsRaw)) attrs[key] = decodeEntities(String(value));
  const textParts: string[] = [];
  const children: XmlElement[] = [];
  for (const child of body) {
    const childRecord = child as Record<string, unknown>;
    if ('#text' in childRecord) textParts.push(String(childRecord['#text']));
    else {
      const element = toElement(child, lines);
      if (element) children.push(element);
    }
  }
  const meta = (record as Record<symbol, { startIndex?: number } | undefined>)[META];
  return {
    name,
    localName: name.includes(':') ? name.slice(name.indexOf(':') + 1) : name,
    attrs,
    children,
    text: decodeEntities(textParts.join('')).trim(),
    line: lines(meta?.startIndex ?? 0),
  };
}

function depth(element: XmlElement): number {
  return 1 + Math.max(0, ...element.children.map(depth));
}

type LineIndex = (offset: number) => number;

/** Line lookup for many offsets of one text: newline positions found once, then a binary search per element. */
function lineIndex(text: string): LineIndex {
  const newlines: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) newlines.push(i);
  return (offset) => {
    let low = 0;
    let high = newlines.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (newlines[mid]! < offset) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  };
}

function lineAt(text: string, index: number): number {
  return lineIndex(text)(index);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The five predefined entities and character references (all that documents may use: DOCTYPE is refused). */
export function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? whole;
    return NAMED[ref] ?? whole;
  });
}

function safeCodePoint(code: number): string | undefined {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

export function childrenNamed(element: XmlElement, localName: string): XmlElement[] {
  return element.children.filter((child) => child.localName === localName);
}

export function firstChild(element: XmlElement, localName: string): XmlElement | undefined {
  return element.children.find((child) => child.localName === localName);
}
