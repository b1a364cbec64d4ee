import { LRUCache } from 'lru-cache';
import type { EmailAddress } from '../settings/address.js';
import type { MailConfig } from '../settings/model.js';
import { escapeHtml } from './html.js';
import { LOCAL_PART_BREAKABLE, LOCAL_PART_PLAIN } from './pages/layout.js';
import { qrSvg } from './qr.js';

// The setup page for an address differs from the page for any other address at the same provider only in the local
// part (and the QR code). So a page is rendered once per provider settings, domain, language, program and day with a
// stand-in local part, and each request only fills in its own.

/** Marks where the QR code goes in a cached page. */
export const QR_MARKER = '<!--mailconfig:qr-->';

const PLAIN_URL = encodeURIComponent(LOCAL_PART_PLAIN);

/** A stand-in address at `domain`: its local part is the private-use character `fillAddress` replaces. */
export function standInAddress(domain: string, domainUnicode: string): EmailAddress {
  return { localPart: LOCAL_PART_PLAIN, domain, domainUnicode, address: `${LOCAL_PART_PLAIN}@${domain}` };
}

/** The cached page with the real local part in text, in breakable titles and in URLs. */
export function fillAddress(page: string, localPart: string): string {
  const text = escapeHtml(localPart);
  const breakable = text.replace(/\./g, '.<wbr>');
  const url = escapeHtml(encodeURIComponent(localPart));
  return page.replaceAll(LOCAL_PART_BREAKABLE, breakable).replaceAll(LOCAL_PART_PLAIN, text).replaceAll(PLAIN_URL, url);
}

export class SetupPageCache {
  private readonly pages = new LRUCache<string, string>({ max: 500 });
  private readonly qrCodes = new LRUCache<string, string>({ max: 2000 });
  private readonly configIds = new WeakMap<MailConfig, number>();
  private nextId = 1;

  /** The cached page for this key, rendering it on a miss. The config object is part of the key (reloads miss). */
  page(config: MailConfig, key: string, render: () => string): string {
    let id = this.configIds.get(config);
    if (id === undefined) {
      id = this.nextId++;
      this.configIds.set(config, id);
    }
    const full = `${id}|${key}`;
    let page = this.pages.get(full);
    if (page === undefined) {
      page = render();
      this.pages.set(full, page);
    }
    return page;
  }

  /** The QR code for a URL, drawn once. */
  qr(url: string, label: string): string {
    const key = `${url}\n${label}`;
    let svg = this.qrCodes.get(key);
    if (svg === undefined) {
      svg = qrSvg(url, label).value;
      this.qrCodes.set(key, svg);
    }
    return svg;
  }
}

