// A tiny tagged-template helper: every interpolated value is escaped unless it is already SafeHtml.
// Pages are built from these, so escaping is the default and raw markup has to be asked for by name.

/** Markup that is known to be safe (built by `html` or from our own generators). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join('');
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\`` escapes `text`; nested `html` results, arrays of them and SafeHtml pass through. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Marks trusted markup (only for output of our own generators, never for input). */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Joins fragments with a separator (escaped like any value). */
export function join(parts: readonly HtmlValue[], separator: HtmlValue): SafeHtml {
  return new SafeHtml(parts.map((p) => render(p)).join(render(separator)));
}

/** A URL safe to put in href: only http(s), so provider data cannot smuggle in `javascript:`. */
export function safeHttpUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
