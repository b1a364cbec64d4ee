// The mail programs the setup page has steps for, and which one a visitor most likely uses.

export const CLIENTS = [
  'thunderbird',
  'outlook-new',
  'outlook-classic',
  'ios',
  'mac',
  'samsung',
  'android',
  'outlook-mobile',
  'gmail-app',
  'other',
] as const;
export type ClientId = (typeof CLIENTS)[number];

/** A guess from the User-Agent (the browser the page is read in), or undefined when it says nothing useful. */
export function clientFromUserAgent(userAgent: string | undefined): ClientId | undefined {
  const ua = (userAgent ?? '').slice(0, 512);
  if (/iPhone|iPad|iPod/.test(ua)) return 'ios';
  if (/Android/.test(ua)) return /SamsungBrowser|SM-[A-Z0-9]/.test(ua) ? 'samsung' : 'android';
  if (/Macintosh|Mac OS X/.test(ua)) return 'mac';
  if (/Windows NT/.test(ua)) return 'outlook-new';
  if (/Linux|X11|CrOS/.test(ua)) return 'thunderbird';
  return undefined;
}
