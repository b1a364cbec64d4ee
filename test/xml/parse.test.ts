import t from 'tap';
import { childrenNamed, firstChild, parseXml, XmlError } from '../../src/xml/parse.js';
import { escapeXml } from '../../src/xml/escape.js';

t.test('elements keep their line, local name, attributes and decoded text', async (t) => {
  const root = parseXml('<?xml version="1.0"?>\n<a:Root xmlns:a="urn:x">\n  <a:Item k="1 &amp; 2">x &lt; y &#233;</a:Item>\n  <a:Item/>\n</a:Root>');
  t.equal(root.localName, 'Root');
  t.equal(root.line, 2);
  const items = childrenNamed(root, 'Item');
  t.equal(items.length, 2);
  t.same(items[0]?.attrs, { k: '1 & 2' });
  t.equal(items[0]?.text, 'x < y é');
  t.equal(items[0]?.line, 3);
  t.equal(items[1]?.line, 4);
  t.equal(firstChild(root, 'Missing'), undefined);
});

t.test('hostile or broken documents are refused with the line of the problem', async (t) => {
  const refused = (text: string, limits = {}): XmlError => {
    try {
      parseXml(text, limits);
    } catch (error) {
      if (error instanceof XmlError) return error;
      throw error;
    }
    throw new Error(`accepted: ${text}`);
  };
  const doctype = refused('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<x>&a;</x>');
  t.match(doctype.message, /DOCTYPE/);
  t.equal(doctype.line, 2);
  t.ok(refused('<a>\n<b>\n</a>').line > 1, 'a mismatched closing tag is reported past line 1');
  t.match(refused('<a/><b/>').message, /more than one root|root/);
  t.match(refused('<a>x</a>', { maxBytes: 4 }).message, /larger than 4 bytes/);
  t.match(refused(`${'<a>'.repeat(20)}${'</a>'.repeat(20)}`).message, /nested too deeply/);
  t.ok(refused(`<a>${'<b>'.repeat(3000)}`).message.length <= 201, 'parser messages stay short');
});

// Found by test/xml/parse.property.test.ts: the parser's messages quoted the document's characters raw.
t.test('refusals name what is wrong without repeating markup or control characters', async (t) => {
  const message = (text: string): string => {
    try {
      parseXml(text);
    } catch (error) {
      if (error instanceof XmlError) return error.message;
      throw error;
    }
    throw new Error(`accepted: ${text}`);
  };
  // A control character before the root: named by its code point, not sent as a NUL.
  t.equal(message('\u0000<?xml version="1.0"?><a/>'), 'char U+0000 is not expected.');
  // A tag "name" that is markup: the name is left out.
  t.equal(message('<a"><img src=x onerror=alert(1)>'), 'Tag (not repeated) is an invalid name.');
  // Quotes inside the quoted name: nothing of the parser's text is used.
  t.equal(message(`<a'"><img src=x>'/>`), 'not well-formed XML');
  t.equal(message('<a><b><c>'), 'several elements are not closed');
  // Plain names and single visible characters are still quoted: they say where the problem is.
  t.equal(message('<a>x</b>'), "Expected closing tag 'a' (opened in line 1, col 1) instead of closing tag 'b'.");
  t.equal(message('<a>&</a>'), "char '&' is not expected.");
});

t.test('escapeXml escapes markup and drops what XML 1.0 cannot carry', async (t) => {
  t.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  t.equal(escapeXml('a\u0000b\u0007c\td'), 'abc\td');
  t.equal(escapeXml(993), '993');
  const back = parseXml(`<x v="${escapeXml('"<&>\'')}">${escapeXml('<&>')}</x>`);
  t.equal(back.attrs.v, '"<&>\'');
  t.equal(back.text, '<&>');
});
