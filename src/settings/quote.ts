// Messages that name what a client sent must not carry markup, quotes or control characters back to it (a plain-text
// error a browser renders, a log line, a terminal): input is quoted only when it is made of harmless characters.

/** Letters, digits, marks and the punctuation of names and addresses; nothing that starts markup or ends a quote. */
const HARMLESS = /^[\p{L}\p{M}\p{N}._~:+@/-]+$/u;

/**
 * `"text"` when `text` is short (at most `max` characters) and harmless; otherwise `fallback` (for example "the
 * domain"), so a message reads "the domain is not a valid domain name" instead of echoing `<script>`.
 */
export function quoteInput(text: string, fallback: string, max = 64): string {
  return text.length <= max && HARMLESS.test(text) ? `"${text}"` : fallback;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point here
const UNSAFE_VALUE = /[<>"`\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** `value` itself when it may be repeated in a message (no markup, quotes or control characters, at most `max`). */
export function repeatable(value: string, max = 200): string | undefined {
  return !UNSAFE_VALUE.test(value) && value.length <= max ? value : undefined;
}

/**
 * `"value"` for a value from a file or a request (a URL, a port, a placeholder) when it has no markup, quotes or
 * control characters and is at most `max` characters; otherwise a note that it is not repeated. Wider than
 * quoteInput (URLs keep their `?`, `=` and `%`), for messages to the people who wrote the value.
 */
export function quoteValue(value: string | undefined, max = 200): string {
  const text = value ?? '';
  if (UNSAFE_VALUE.test(text)) return '(a value with markup, quotes or control characters, not repeated)';
  if (text.length > max) return `(a value of ${text.length} characters, not repeated)`;
  return `"${text}"`;
}
