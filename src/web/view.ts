// Pure helpers that turn the settings model into what the setup page shows; no markup here.
import type { LocalizedText, MailConfig, Protocol, ServerSettings, SourceKind } from '../settings/model.js';
import { splitPlaceholders, type PlaceholderName } from '../settings/placeholders.js';
import { SOURCE_RANK, rankServers } from '../settings/preference.js';
import type { Lang } from './i18n/index.js';

export type CardRole = 'recommended' | 'alternative' | 'only' | 'sending';

export interface SettingsCard {
  protocol: Protocol;
  role: CardRole;
  server: ServerSettings;
  /** Other working ways to reach the same service (another port or host), best first. */
  alternatives: ServerSettings[];
}

/** IMAP first (recommended), then SMTP, then POP3 as the alternative; POP3 leads when there is no IMAP. */
export function settingsCards(config: MailConfig): SettingsCard[] {
  const ranked = rankServers(config.servers);
  const card = (protocol: Protocol, role: CardRole): SettingsCard | undefined => {
    const [best, ...rest] = ranked.filter((s) => s.protocol === protocol);
    if (!best) return undefined;
    const seen = new Set([endpointKey(best)]);
    const alternatives = rest.filter((s) => {
      const key = endpointKey(s);
      // Never suggest an unencrypted way when an encrypted one exists.
      if (seen.has(key) || (s.security === 'none' && best.security !== 'none')) return false;
      seen.add(key);
      return true;
    });
    return { protocol, role, server: best, alternatives };
  };
  const hasImap = ranked.some((s) => s.protocol === 'imap');
  const cards = hasImap
    ? [card('imap', 'recommended'), card('smtp', 'sending'), card('pop3', 'alternative')]
    : [card('pop3', 'only'), card('smtp', 'sending')];
  return cards.filter((c): c is SettingsCard => c !== undefined);
}

function endpointKey(s: ServerSettings): string {
  return `${s.host.toLowerCase()}|${s.port}|${s.security}`;
}

/** A host name for display: %EMAILDOMAIN% (allowed in hosts) becomes the domain when no address fills it. */
export function displayHost(host: string, domain: string): string {
  return host.replaceAll('%EMAILDOMAIN%', domain);
}

export interface PickedText {
  text: string;
  /** The language the text is in (ISPDB texts without `lang` are English). */
  lang: string;
}

/** The text in the page language, else the default (English) one, else the first. */
export function pickLocalized(texts: readonly LocalizedText[], lang: Lang): PickedText | undefined {
  const norm = (t: LocalizedText) => (t.lang ?? 'en').toLowerCase().split('-')[0] ?? 'en';
  const found = texts.find((t) => norm(t) === lang) ?? texts.find((t) => norm(t) === 'en') ?? texts[0];
  return found && found.text.trim() ? { text: found.text.trim(), lang: norm(found) } : undefined;
}

export interface SourceNote {
  kind: SourceKind;
  detail: string;
  lowConfidence: boolean;
}

/** The distinct sources the shown servers came from, most trusted first. */
export function sourceNotes(config: MailConfig, cards: readonly SettingsCard[]): SourceNote[] {
  const sources = cards.length > 0 ? cards.map((c) => c.server.source) : [config.source];
  const byKind = new Map<SourceKind, SourceNote>();
  for (const source of sources) {
    const note = byKind.get(source.kind);
    if (note) {
      note.lowConfidence ||= source.confidence === 'low';
      continue;
    }
    byKind.set(source.kind, { kind: source.kind, detail: source.detail, lowConfidence: source.confidence === 'low' });
  }
  return [...byKind.values()].sort((a, b) => SOURCE_RANK[a.kind] - SOURCE_RANK[b.kind]);
}

export type UsernamePart = { text: string } | { placeholder: 'address' | 'localpart' | 'realname' };

/** How the page shows each placeholder: in words, or (the domain, which the page knows) as the text itself. */
const PLACEHOLDER_PARTS: Record<PlaceholderName, (domain: string) => UsernamePart> = {
  EMAILADDRESS: () => ({ placeholder: 'address' }),
  EMAILLOCALPART: () => ({ placeholder: 'localpart' }),
  EMAILDOMAIN: (domain) => ({ text: domain }),
  REALNAME: () => ({ placeholder: 'realname' }),
};

/** Splits a user name template so the page can show placeholders as words ("your full email address"). */
export function usernameParts(template: string, domain: string): UsernamePart[] {
  return splitPlaceholders(template).map((piece) => ('placeholder' in piece ? PLACEHOLDER_PARTS[piece.placeholder](domain) : piece));
}
