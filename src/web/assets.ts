import { createHash } from 'node:crypto';
import { themeFor } from './color.js';
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
    this.add('theme.css', `:root{--accent:${theme.accent};--accent-text:${theme.accentText};--link:${theme.link}}\n`, 'text/css; charset=utf-8');
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
    return { css: this.url('style.css'), theme: this.url('theme.css'), js: this.url('app.js') };
  }
}
