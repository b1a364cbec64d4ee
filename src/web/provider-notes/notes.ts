// Curated notes over the imported ISPDB data, in German and English. The ISPDB files stay as imported; what is stale
// or missing there (out-of-date instructions, old English links, how people really sign in) is corrected here.
// Facts only: each entry names what the provider's own help pages say today.

export interface Texts {
  en: string;
  de: string;
}

/** A help link; a URL per language where the provider has one, else one URL whose language is named. */
export type NoteLink = { text: Texts } & ({ urls: Texts } | { url: string; lang: 'en' | 'de' });

/** Which account type the big programs offer for this provider (they sign in through the provider's window). */
export type BuiltInAccount = 'google' | 'outlook.com' | 'microsoft365' | 'yahoo' | 'icloud';

export interface AppPasswordNote {
  /** Where the app password is created. */
  url: string;
  /** The provider's explanation of app passwords. */
  help?: NoteLink;
  /** Google and Apple only offer app passwords once 2-step verification is on. */
  needsTwoStep: boolean;
}

export interface ProviderNote {
  displayName?: Texts;
  /** Sign-in through the provider's window is the normal way; passwords (app passwords) are the exception. */
  oauthFirst?: boolean;
  builtInAccount?: BuiltInAccount;
  appPassword?: AppPasswordNote;
  /** Replaces the ISPDB `enable` steps; an empty list: nothing to switch on. */
  enable?: Array<{ text: Texts; url?: string }>;
  /** Extra facts for the "before you start" box. */
  facts?: Texts[];
  /** Replaces the ISPDB documentation links. */
  documentation?: NoteLink[];
}

const GOOGLE_IMAP_HELP: NoteLink = {
  text: { en: 'Gmail Help: use Gmail in other mail programs (IMAP)', de: 'Gmail-Hilfe: Gmail in anderen E-Mail-Programmen (IMAP)' },
  urls: { en: 'https://support.google.com/mail/answer/7126229?hl=en', de: 'https://support.google.com/mail/answer/7126229?hl=de' },
};
const GOOGLE_APP_PASSWORD_HELP: NoteLink = {
  text: { en: 'Google Account Help: sign in with app passwords', de: 'Google-Konto-Hilfe: Mit App-Passwörtern anmelden' },
  urls: { en: 'https://support.google.com/accounts/answer/185833?hl=en', de: 'https://support.google.com/accounts/answer/185833?hl=de' },
};
const MICROSOFT_HELP: NoteLink = {
  text: { en: 'Microsoft Support: POP, IMAP and SMTP settings for Outlook.com', de: 'Microsoft-Support: POP-, IMAP- und SMTP-Einstellungen für Outlook.com' },
  urls: {
    en: 'https://support.microsoft.com/en-us/office/d088b986-291d-42b8-9564-9c414e2aa040',
    de: 'https://support.microsoft.com/de-de/office/d088b986-291d-42b8-9564-9c414e2aa040',
  },
};
const APPLE_HELP: NoteLink = {
  text: { en: 'Apple Support: iCloud Mail server settings', de: 'Apple Support: Servereinstellungen für iCloud Mail' },
  urls: { en: 'https://support.apple.com/en-us/102525', de: 'https://support.apple.com/de-de/102525' },
};
const APPLE_APP_PASSWORD_HELP: NoteLink = {
  text: { en: 'Apple Support: app-specific passwords', de: 'Apple Support: App-spezifische Passwörter' },
  urls: { en: 'https://support.apple.com/en-us/102654', de: 'https://support.apple.com/de-de/102654' },
};

/** Keyed by the provider id of the bundled database (the ISPDB file name without .xml). */
export const PROVIDER_NOTES: Readonly<Record<string, ProviderNote>> = {
  'googlemail.com': {
    displayName: { en: 'Gmail', de: 'Gmail' },
    oauthFirst: true,
    builtInAccount: 'google',
    appPassword: { url: 'https://myaccount.google.com/apppasswords', help: GOOGLE_APP_PASSWORD_HELP, needsTwoStep: true },
    // ISPDB: "You need to enable IMAP access". Since January 2025 IMAP is always on for personal accounts.
    enable: [],
    facts: [
      {
        en: 'IMAP is always on for personal Gmail accounts. With a Google Workspace account (work or school), your administrator may have to allow it.',
        de: 'Bei privaten Gmail-Konten ist IMAP immer eingeschaltet. Bei einem Google-Workspace-Konto (Arbeit, Schule) muss es eventuell Ihre Administration freigeben.',
      },
    ],
    documentation: [GOOGLE_IMAP_HELP, GOOGLE_APP_PASSWORD_HELP],
  },
  'hotmail.com': {
    displayName: { en: 'Outlook.com', de: 'Outlook.com' },
    builtInAccount: 'outlook.com',
    documentation: [MICROSOFT_HELP],
  },
  'office365.com': {
    displayName: { en: 'Microsoft 365', de: 'Microsoft 365' },
    builtInAccount: 'microsoft365',
    facts: [
      {
        en: 'Your organisation decides which programs may connect. If signing in fails, ask your IT department.',
        de: 'Welche Programme sich verbinden dürfen, legt Ihre Organisation fest. Klappt die Anmeldung nicht, fragen Sie Ihre IT-Abteilung.',
      },
    ],
  },
  'yahoo.com': {
    displayName: { en: 'Yahoo Mail', de: 'Yahoo Mail' },
    oauthFirst: true,
    builtInAccount: 'yahoo',
    appPassword: { url: 'https://login.yahoo.com/account/security', needsTwoStep: false },
  },
  'aol.com': {
    oauthFirst: true,
    appPassword: { url: 'https://login.aol.com/account/security', needsTwoStep: false },
  },
  'me.com': {
    displayName: { en: 'iCloud Mail', de: 'iCloud Mail' },
    builtInAccount: 'icloud',
    appPassword: { url: 'https://account.apple.com/account/manage', help: APPLE_APP_PASSWORD_HELP, needsTwoStep: true },
    documentation: [APPLE_HELP, APPLE_APP_PASSWORD_HELP],
  },
};

/** Help links known to be dead wherever they appear in provider data (Google's pre-2012 help centre). */
const DEAD_LINKS: readonly RegExp[] = [/^https?:\/\/mail\.google\.com\/support\/bin\//i, /^https?:\/\/www\.google\.com\/support\/bin\//i];

export function isDeadLink(url: string): boolean {
  return DEAD_LINKS.some((pattern) => pattern.test(url));
}

export function providerNote(providerId: string): ProviderNote | undefined {
  return Object.hasOwn(PROVIDER_NOTES, providerId) ? PROVIDER_NOTES[providerId] : undefined;
}
