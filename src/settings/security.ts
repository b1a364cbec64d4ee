import type { Security } from './model.js';

/** How one security mode is written wherever it appears. */
export interface SecurityMode {
  /** Thunderbird clientConfig's `<socketType>`: what provider files hold and autoconfig answers carry. */
  socketType: 'SSL' | 'STARTTLS' | 'plain';
  /** For people: CLI tables, diffs, the admin log. */
  word: string;
  /** Compact, inside a label such as `imap.example.org:993 (imap, TLS)`. */
  short: string;
  /** What people may type for it (CLI flags, admin JSON), lower case: the model's name first. */
  names: readonly string[];
  /** False only for a connection without any encryption. */
  encrypted: boolean;
}

/** The one table of security modes; every reader and writer of a spelling takes it from here. */
export const SECURITY_MODES: Readonly<Record<Security, SecurityMode>> = {
  tls: { socketType: 'SSL', word: 'SSL/TLS', short: 'TLS', names: ['tls', 'ssl'], encrypted: true },
  starttls: { socketType: 'STARTTLS', word: 'STARTTLS', short: 'STARTTLS', names: ['starttls'], encrypted: true },
  none: { socketType: 'plain', word: 'plain', short: 'plain', names: ['none', 'plain'], encrypted: false },
};

/** Every security mode, strongest first. */
export const SECURITIES: readonly Security[] = ['tls', 'starttls', 'none'];

/** The mode a clientConfig `<socketType>` names (exactly as the format spells it), or undefined. */
export function securityFromSocketType(socketType: string): Security | undefined {
  return SECURITIES.find((security) => SECURITY_MODES[security].socketType === socketType);
}

/** The mode a person typed (any case, white space ignored): the model's name, the socketType or a usual synonym. */
export function securityFromWord(word: string): Security | undefined {
  const typed = word.trim().toLowerCase();
  return SECURITIES.find((security) => SECURITY_MODES[security].names.includes(typed));
}

/** `a, b or c`, for messages that list what is accepted. */
export function alternatives(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** The accepted words as a sentence, for error messages: `"tls" (or "ssl"), "starttls" or "none" (or "plain")`. */
export function securityWordsText(): string {
  return alternatives(
    SECURITIES.map((security) => {
      const [name, ...synonyms] = SECURITY_MODES[security].names;
      return `"${name}"${synonyms.length > 0 ? ` (or ${synonyms.map((s) => `"${s}"`).join(', ')})` : ''}`;
    }),
  );
}

/** The socketType values as a sentence: `SSL, STARTTLS or plain`. */
export function socketTypesText(): string {
  return alternatives(SECURITIES.map((security) => SECURITY_MODES[security].socketType));
}
