import { html, escapeHtml, SafeHtml, type HtmlValue } from '../html.js';
import { de } from './de.js';
import { en, type MessageKey } from './en.js';

export type { MessageKey } from './en.js';
export type Lang = 'en' | 'de';
export const LANGS: readonly Lang[] = ['en', 'de'];
export const DEFAULT_LANG: Lang = 'en';

export const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { en, de };

export function isLang(value: string | undefined): value is Lang {
  return value === 'en' || value === 'de';
}

/**
 * The page language: a valid `?lang=` wins, then the best Accept-Language match (q-values honoured,
 * `de-AT` counts as `de`), then English.
 */
export function chooseLanguage(queryLang: string | undefined, acceptLanguage: string | undefined): Lang {
  const asked = queryLang?.trim().toLowerCase();
  if (isLang(asked)) return asked;
  let best: { lang: Lang; q: number } | undefined;
  for (const part of (acceptLanguage ?? '').split(',').slice(0, 20)) {
    const [tag = '', ...params] = part.trim().toLowerCase().split(';');
    const primary = tag.split('-')[0];
    if (!isLang(primary)) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang: primary, q };
  }
  return best?.lang ?? DEFAULT_LANG;
}

export interface Translator {
  lang: Lang;
  /** Plain text with `{name}` filled in (escape it like any other value when it goes into markup). */
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** Markup: the message is escaped, vars may be SafeHtml (e.g. `<code>` around a host name). */
  h(key: MessageKey, vars?: Record<string, HtmlValue>): SafeHtml;
}

export function translator(lang: Lang): Translator {
  const catalogue = CATALOGUES[lang];
  return {
    lang,
    t(key, vars = {}) {
      return catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
    },
    h(key, vars = {}) {
      const parts = catalogue[key].split(/\{(\w+)\}/);
      // split with a capture group alternates text and variable names.
      const out = parts.map((part, i) => (i % 2 === 0 ? escapeHtml(part) : part in vars ? html`${vars[part]}`.value : escapeHtml(`{${part}}`)));
      return new SafeHtml(out.join(''));
    },
  };
}

/** `{name}` placeholders of a message, for the catalogue test. */
export function placeholdersOf(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}
