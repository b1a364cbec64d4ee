// Shared pieces of the property-based tests (*.property.test.ts): input generators that reach the corners parsers
// get wrong (any Unicode, control characters, markup, near-valid inputs made from valid ones), and the one check every
// error message passes: it says what was wrong without carrying the input's markup, quotes or control characters back.
import fc from 'fast-check';

/** Markup an attacker would plant in an input; none of it may come back raw in an error message or a body. */
export const MARKERS = ['<script>x</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>", '</title><script>'] as const;

/** A C0/C1 control character or DEL (a terminal escape, a NUL, a line break inside a log line). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point here
export const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** Characters that make an echoed input dangerous: markup, quotes, control characters. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point here
const DANGEROUS = /[<>"\u0000-\u001f\u007f-\u009f]/u;

/** Single characters parsers of names and addresses treat specially. */
const SPECIALS = ['@', '.', '-', '_', '+', '%', '<', '>', '"', "'", '&', ';', ':', '/', '\\', '[', ']', '(', ')', ',', ' ', '\t', '\n', '\r', '\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u00a0', '\u200b', '\u202e', '\ufeff', '\ufffd', 'ß', 'ü', 'İ', '\u{1f600}', 'xn--', '=', '?', '#', '*'];

/** Any string: full Unicode (lone surrogates included), printable ASCII, or a soup of the special characters. */
export function anyText(maxLength = 300): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ maxLength }),
    fc.array(fc.constantFrom(...SPECIALS), { maxLength: 40 }).map((parts) => parts.join('')),
    fc.string({ unit: fc.constantFrom('a', 'b', '.', '@', '-', '<', '"', '\u0000'), maxLength: 80 }),
  );
}

/** An injected marker placed somewhere in otherwise plausible text. */
export function withMarker(base: fc.Arbitrary<string> = anyText(60)): fc.Arbitrary<string> {
  return fc.tuple(base, fc.constantFrom(...MARKERS), fc.nat()).map(([text, marker, at]) => {
    const i = text.length === 0 ? 0 : at % (text.length + 1);
    return text.slice(0, i) + marker + text.slice(i);
  });
}

/** One edit of `valid`: a character inserted, deleted, replaced or doubled, a slice cut, or a marker inserted. */
export function mutated(valid: fc.Arbitrary<string>, maxEdits = 3): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace', 'double', 'cut', 'marker', 'case'), fc.constantFrom(...SPECIALS, ...MARKERS));
  return fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: maxEdits })).map(([text, edits]) => {
    let out = text;
    for (const [at, kind, piece] of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      switch (kind) {
        case 'insert':
          out = out.slice(0, i) + piece + out.slice(i);
          break;
        case 'delete':
          out = out.slice(0, i) + out.slice(i + 1);
          break;
        case 'replace':
          out = out.slice(0, i) + piece + out.slice(i + 1);
          break;
        case 'double':
          out = out.slice(0, i + 1) + out.slice(i);
          break;
        case 'cut':
          out = out.slice(0, i);
          break;
        case 'marker':
          out = out.slice(0, i) + MARKERS[at % MARKERS.length]! + out.slice(i);
          break;
        case 'case':
          out = out.slice(0, i) + out.slice(i, i + 8).toUpperCase() + out.slice(i + 8);
          break;
      }
    }
    return out;
  });
}

/** Valid-looking domain names (ASCII and IDN) to mutate. */
export const validDomain: fc.Arbitrary<string> = fc.oneof(
  fc.domain(),
  fc.constantFrom('example.org', 'bücher.de', 'xn--bcher-kva.de', 'mail.example.co.uk', 'EXAMPLE.NET.', 'a-b.c-d.example', '例え.jp'),
);

/** Valid-looking addresses to mutate. */
export const validAddress: fc.Arbitrary<string> = fc.oneof(
  fc.emailAddress(),
  fc.tuple(fc.constantFrom('alice', 'Bob.Smith', 'x+tag', 'jörg', "o'neil", 'a_b-c'), validDomain).map(([local, domain]) => `${local}@${domain}`),
);

/**
 * Why `message` (an error's text, a refusal's reason) echoes `input` unsafely, or undefined when it does not: it must
 * carry no control characters and none of the planted markers, and not the whole (trimmed) input when that holds
 * markup, quotes or control characters. Parts of the message that come from the code itself (`<Autodiscover>`) are allowed.
 */
export function unsafeEcho(message: string, input: string): string | undefined {
  if (CONTROL.test(message)) return 'the message has a control character';
  for (const marker of MARKERS) if (input.includes(marker) && message.includes(marker)) return `the message repeats the marker ${JSON.stringify(marker)}`;
  // Trimmed: parsers drop surrounding blanks (a trailing newline) before they look, and may then name what is left.
  const core = input.trim();
  if (core.length >= 3 && DANGEROUS.test(core) && message.includes(core)) return 'the message repeats the whole input, markup and all';
  return undefined;
}

/** Runs (fast-check) enough for a slow shared machine; `FC_RUNS` in the environment raises it for a deeper hunt. */
export function runs(normal: number): number {
  const given = Number(process.env.FC_RUNS);
  return Number.isInteger(given) && given > 0 ? given : normal;
}
