// Where known providers let people create app passwords. The ISPDB data has no field for this, and these
// providers refuse the normal password in mail programs that do not sign in through the browser.
const APP_PASSWORD_PAGES: Record<string, string> = {
  'googlemail.com': 'https://myaccount.google.com/apppasswords',
  'yahoo.com': 'https://login.yahoo.com/account/security',
  'aol.com': 'https://login.aol.com/account/security',
  'hotmail.com': 'https://account.microsoft.com/security',
  'me.com': 'https://account.apple.com/account/manage',
};

/** The app-password page for a provider id of the bundled database, if we know one. */
export function appPasswordPage(providerId: string): string | undefined {
  return APP_PASSWORD_PAGES[providerId];
}
