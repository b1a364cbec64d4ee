// The domain check's sentences in the page language: the findings of src/check rendered from the table of that
// language (English from src/check/messages.ts, which the JSON API and CLI use too; German from check-de.ts).
import { CHECK_MESSAGES, renderFinding, type Finding, type MessageTable } from '../../check/messages.js';
import { checkDe } from './check-de.js';
import type { Lang } from './index.js';

export const CHECK_TABLES: Record<Lang, MessageTable> = { en: CHECK_MESSAGES, de: checkDe };

/** A finding as plain text in `lang` (escape it like any other value when it goes into markup). */
export function checkSentence(lang: Lang, item: Finding): string {
  return renderFinding(item, CHECK_TABLES[lang]);
}
