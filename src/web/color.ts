// WCAG 2 contrast arithmetic, so a hoster's accent colour never makes text unreadable.

export type Rgb = [number, number, number];

/** `#rgb` or `#rrggbb` (case-insensitive) to channels 0-255; undefined when it is not a hex colour. */
export function parseHexColor(value: string): Rgb | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!m?.[1]) return undefined;
  const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join('') : m[1];
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

export function toHex([r, g, b]: Rgb): string {
  return '#' + [r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('');
}

export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];

/** Black or white, whichever reads better on the given background. */
export function textOn(background: Rgb): Rgb {
  return contrast(background, BLACK) >= contrast(background, WHITE) ? BLACK : WHITE;
}

/** The colour itself if it reaches `ratio` against white (for links), else darkened just enough. */
export function readableOnWhite(color: Rgb, ratio = 4.5): Rgb {
  return readableOn(color, [WHITE], ratio);
}

/**
 * The colour itself if it reaches `ratio` against every one of `backgrounds`, else moved towards black (light
 * backgrounds) or white (dark backgrounds) just enough. Falls back to black or white, which always pass.
 */
export function readableOn(color: Rgb, backgrounds: readonly Rgb[], ratio = 4.5): Rgb {
  const passes = (c: Rgb) => backgrounds.every((bg) => contrast(c, bg) >= ratio);
  const dark = backgrounds.every((bg) => luminance(bg) < 0.18);
  const target: Rgb = dark ? WHITE : BLACK;
  let current = color;
  for (let i = 0; i < 60 && !passes(current); i++) {
    current = current.map((c, k) => c + (target[k]! - c) * 0.07) as Rgb;
  }
  return passes(current) ? current : target;
}

/**
 * Every background text or links sit on, in the light and the dark scheme. style.css uses exactly these
 * (test/web/color.test.ts reads the stylesheet and checks), so the accent is checked against all of them.
 */
export const LIGHT_BACKGROUNDS = {
  bg: '#f4f6f8',
  card: '#ffffff',
  'warn-bg': '#fff6dd',
  'note-bg': '#eaf2fb',
  'value-bg': '#eef1f4',
  'alert-bg': '#fde8e6',
} as const;
export const DARK_BACKGROUNDS = {
  bg: '#14171b',
  card: '#1d2127',
  'warn-bg': '#2e2713',
  'note-bg': '#17222f',
  'value-bg': '#262b32',
  'alert-bg': '#3a1a17',
} as const;

export interface Theme {
  accent: string;
  accentText: string;
  /** Links, focus rings and secondary buttons on the light backgrounds. */
  link: string;
  /** The same on the dark backgrounds (prefers-color-scheme: dark). */
  linkDark: string;
}

export const DEFAULT_ACCENT = '#1c5d99';

const rgbList = (palette: Record<string, string>) => Object.values(palette).map((hex) => parseHexColor(hex) as Rgb);

/** The CSS colours derived from one accent colour. */
export function themeFor(accentHex: string | undefined): Theme {
  const accent = parseHexColor(accentHex ?? DEFAULT_ACCENT) ?? (parseHexColor(DEFAULT_ACCENT) as Rgb);
  return {
    accent: toHex(accent),
    accentText: toHex(textOn(accent)),
    link: toHex(readableOn(accent, rgbList(LIGHT_BACKGROUNDS))),
    linkDark: toHex(readableOn(accent, rgbList(DARK_BACKGROUNDS))),
  };
}

/** theme.css: the accent colours and the background palette of both schemes. */
export function themeCss(theme: Theme): string {
  const vars = (palette: Record<string, string>) => Object.entries(palette).map(([name, hex]) => `--${name}:${hex}`).join(';');
  return (
    `:root{--accent:${theme.accent};--accent-text:${theme.accentText};--link:${theme.link};${vars(LIGHT_BACKGROUNDS)}}\n` +
    `@media screen and (prefers-color-scheme: dark){:root{--link:${theme.linkDark};${vars(DARK_BACKGROUNDS)}}}\n`
  );
}
