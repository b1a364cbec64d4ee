import { createHash } from 'node:crypto';
import { themeCss, themeFor } from './color.js';
import { SCRIPT } from './assets/script.js';
import { STYLESHEET } from './assets/stylesheet.js';
import type { AssetUrls } from './pages/layout.js';

// The stylesheet and script are modules (compiled with the rest), so the built service needs no src/ tree and no
// copy step: `node dist/...` and `tsx src/...` serve the same bytes.

export interface Asset {
  body: string;
  type: string;
  /** Short content hash: in the URL (?v=) for cache busting and as the ETag. */
  hash: string;
}

/** The stylesheet, the script, and the theme generated from the brand colour. */
export class WebAssets {
  private readonly files = new Map<string, Asset>();

  constructor(accentColor: string | undefined) {
    this.add('style.css', STYLESHEET, 'text/css; charset=utf-8');
    this.add('app.js', SCRIPT, 'text/javascript; charset=utf-8');
    const theme = themeFor(accentColor);
    // Served as a file, not a <style> element, so the CSP can forbid inline styles.
    this.add('theme.css', themeCss(theme), 'text/css; charset=utf-8');
    // An envelope in the accent colour: the tab shows whose page this is.
    this.add(
      'favicon.svg',
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="${theme.accent}"/>` +
        `<path d="M6 10h20v13H6z" fill="none" stroke="${theme.accentText}" stroke-width="2.2" stroke-linejoin="round"/>` +
        `<path d="M6 10l10 8 10-8" fill="none" stroke="${theme.accentText}" stroke-width="2.2" stroke-linejoin="round"/></svg>\n`,
      'image/svg+xml',
    );
  }

  private add(name: string, body: string, type: string): void {
    this.files.set(name, { body, type, hash: createHash('sha256').update(body).digest('hex').slice(0, 12) });
  }

  get(name: string): Asset | undefined {
    return this.files.get(name);
  }

  url(name: string): string {
    return `/assets/${name}?v=${this.files.get(name)?.hash ?? '0'}`;
  }

  urls(): AssetUrls {
    return { css: this.url('style.css'), theme: this.url('theme.css'), js: this.url('app.js'), icon: this.url('favicon.svg') };
  }
}
