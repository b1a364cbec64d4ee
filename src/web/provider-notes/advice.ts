import type { MailConfig } from '../../settings/model.js';
import { safeHttpUrl } from '../html.js';
import type { Lang } from '../i18n/index.js';
import { pickLocalized, type PickedText } from '../view.js';
import { isDeadLink, providerNote, type NoteLink } from './notes.js';
import { signInFor, type SignIn } from './sign-in.js';

export interface AdviceLink {
  url: string;
  text?: string | undefined;
  /** The language of the page behind the link. */
  lang: string;
}

export interface AdviceStep {
  url?: string | undefined;
  instruction?: PickedText | undefined;
}

/** The ISPDB data with the curated notes laid over it, for one page language. */
export interface ProviderAdvice {
  /** What to call the provider on the page (curated name, else the ISPDB display name, else the domain). */
  name: string;
  signIn: SignIn;
  enable: AdviceStep[];
  facts: string[];
  /** Help links: the page language's where there are any; others only when there are none (marked by the page). */
  links: AdviceLink[];
}

function noteLink(link: NoteLink, lang: Lang): AdviceLink {
  if ('urls' in link) return { url: link.urls[lang], text: link.text[lang], lang };
  return { url: link.url, text: link.text[lang], lang: link.lang };
}

export function providerAdvice(config: MailConfig, lang: Lang, fallbackName: string): ProviderAdvice {
  const note = providerNote(config.id);
  const name = note?.displayName?.[lang] ?? config.displayName ?? fallbackName;
  const enable: AdviceStep[] = note?.enable
    ? note.enable.map((e) => ({ url: e.url, instruction: { text: e.text[lang], lang } }))
    : config.enable.map((e) => ({ url: e.visitUrl || undefined, instruction: pickLocalized(e.instructions, lang) }));
  const candidates: AdviceLink[] = note?.documentation
    ? note.documentation.map((l) => noteLink(l, lang))
    : config.documentation.map((doc) => {
        const descr = pickLocalized(doc.descriptions, lang);
        return { url: doc.url, text: descr?.text, lang: descr?.lang ?? 'en' };
      });
  const usable = candidates
    .map((l) => ({ ...l, url: safeHttpUrl(l.url) ?? '' }))
    .filter((l) => l.url !== '' && !isDeadLink(l.url));
  const own = usable.filter((l) => l.lang === lang);
  return {
    name,
    signIn: signInFor(config, note),
    enable: enable.filter((e) => !e.url || !isDeadLink(e.url)),
    facts: (note?.facts ?? []).map((f) => f[lang]),
    links: own.length > 0 ? own : usable,
  };
}
