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
  let current = color;
  for (let i = 0; i < 40 && contrast(current, WHITE) < ratio; i++) {
    current = current.map((c) => c * 0.93) as Rgb;
  }
  return current;
}

export interface Theme {
  accent: string;
  accentText: string;
  link: string;
}

export const DEFAULT_ACCENT = '#1c5d99';

/** The CSS colours derived from one accent colour. */
export function themeFor(accentHex: string | undefined): Theme {
  const accent = parseHexColor(accentHex ?? DEFAULT_ACCENT) ?? (parseHexColor(DEFAULT_ACCENT) as Rgb);
  return { accent: toHex(accent), accentText: toHex(textOn(accent)), link: toHex(readableOnWhite(accent)) };
}
