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
