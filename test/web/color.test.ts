// The accent colour against every background the pages use, in both schemes.
import t from 'tap';
import { STYLESHEET } from '../../src/web/assets/stylesheet.js';
import { DARK_BACKGROUNDS, LIGHT_BACKGROUNDS, contrast, parseHexColor, readableOnWhite, themeCss, themeFor, type Rgb } from '../../src/web/color.js';

const css = STYLESHEET;
const rgb = (hex: string) => parseHexColor(hex) as Rgb;

t.test('every background in style.css is a palette variable the theme checks', async (t) => {
  // Screen rules only: the print block paints everything white and black.
  const screen = css.slice(0, css.indexOf('@media print'));
  const backgrounds = [...screen.matchAll(/background(?:-color)?:\s*([^;}]+)/g)].map((m) => m[1]!.trim());
  t.ok(backgrounds.length > 10, `${backgrounds.length} background declarations`);
  const allowed = new Set([...Object.keys(LIGHT_BACKGROUNDS).map((k) => `var(--${k})`), 'var(--accent)', 'none', 'transparent']);
  t.same(backgrounds.filter((b) => !allowed.has(b)), [], 'no background outside the checked palette');
  // The stylesheet's own defaults are the palette's values (theme.css sets them too, but they must agree).
  for (const [name, hex] of Object.entries(LIGHT_BACKGROUNDS)) t.match(screen, new RegExp(`--${name}: ${hex};`), `light --${name}`);
  for (const [name, hex] of Object.entries(DARK_BACKGROUNDS)) t.match(screen, new RegExp(`--${name}: ${hex};`), `dark --${name}`);
});

t.test('a mid blue that passes on white is darkened for the grey and yellow backgrounds', async (t) => {
  const accent = '#3d7ee0';
  // The old check (white only) let it through, though it fails on the page background and the notice box.
  t.ok(contrast(readableOnWhite(rgb(accent)), rgb(LIGHT_BACKGROUNDS.bg)) < 4.5 || contrast(rgb(accent), rgb(LIGHT_BACKGROUNDS['warn-bg'])) < 4.5);
  const theme = themeFor(accent);
  for (const [name, hex] of Object.entries(LIGHT_BACKGROUNDS)) {
    t.ok(contrast(rgb(theme.link), rgb(hex)) >= 4.5, `link ${theme.link} on ${name} ${hex}: ${contrast(rgb(theme.link), rgb(hex)).toFixed(2)}`);
  }
  for (const [name, hex] of Object.entries(DARK_BACKGROUNDS)) {
    t.ok(contrast(rgb(theme.linkDark), rgb(hex)) >= 4.5, `dark link ${theme.linkDark} on ${name} ${hex}: ${contrast(rgb(theme.linkDark), rgb(hex)).toFixed(2)}`);
  }
});

t.test('any accent: links readable everywhere, text on the accent readable', async (t) => {
  for (const accent of ['#ffd400', '#ffffff', '#000000', '#3d7ee0', '#1c5d99', '#e4007c', '#00a650', '#777777']) {
    const theme = themeFor(accent);
    const worstLight = Math.min(...Object.values(LIGHT_BACKGROUNDS).map((hex) => contrast(rgb(theme.link), rgb(hex))));
    const worstDark = Math.min(...Object.values(DARK_BACKGROUNDS).map((hex) => contrast(rgb(theme.linkDark), rgb(hex))));
    t.ok(worstLight >= 4.5 && worstDark >= 4.5, `${accent}: links ${worstLight.toFixed(2)} (light), ${worstDark.toFixed(2)} (dark)`);
    t.ok(contrast(rgb(theme.accentText), rgb(theme.accent)) >= 4.5, `${accent}: text on the accent`);
  }
  t.match(themeCss(themeFor('#ffd400')), /@media screen and \(prefers-color-scheme: dark\)\{:root\{--link:#/);
});
