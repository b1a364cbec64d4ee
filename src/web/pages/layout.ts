import { escapeHtml, html, safeHttpUrl, trusted, type SafeHtml } from '../html.js';
import { LANGS, type Lang, type Translator } from '../i18n/index.js';

export interface Brand {
  name?: string | undefined;
  /** http(s) URL of the logo (checked by loadConfig). */
  logo?: string | undefined;
  imprintUrl?: string | undefined;
  privacyUrl?: string | undefined;
  supportUrl?: string | undefined;
  supportEmail?: string | undefined;
}

export interface AssetUrls {
  css: string;
  theme: string;
  js: string;
  icon: string;
}

/** What every page needs besides its own data. Built per request by the route. */
export interface PageContext {
  tr: Translator;
  brand: Brand;
  assets: AssetUrls;
  /** The absolute URL of this page (public base URL + path + query), for the language links. */
  url: URL;
  /** Today's date (YYYY-MM-DD), printed as "Stand" on pages meant for printing; the route reads the clock. */
  today?: string;
}

// Stand-ins for the local part of an address while a page is rendered once for many addresses (see
// page-cache.ts): PLAIN where it is text, BREAKABLE where it may break at dots. Private-use characters, which
// parseAddress never lets through.
export const LOCAL_PART_PLAIN = '\uE000';
export const LOCAL_PART_BREAKABLE = '\uE001';

/** An address or domain that may break after "." and before "@" (titles, narrow cards), never elsewhere. */
export function breakableAddress(text: string): SafeHtml {
  const escaped = escapeHtml(text.replaceAll(LOCAL_PART_PLAIN, LOCAL_PART_BREAKABLE));
  return trusted(escaped.replace(/\./g, '.<wbr>').replace(/@/g, '<wbr>@'));
}

/** A host name that may break after a dot only: never at a hyphen (`smtp-mail.outlook.com`). */
export function hostName(host: string): SafeHtml {
  const labels = host.split('.').map((label) => (label.includes('-') ? `<span class="nb">${escapeHtml(label)}</span>` : escapeHtml(label)));
  return trusted(labels.join('.<wbr>'));
}

export function brandName(ctx: PageContext): string {
  return ctx.brand.name ?? ctx.tr.t('brand.default');
}

/** A link inside the site that keeps the page language. */
export function href(ctx: PageContext, path: string, params: Record<string, string> = {}): string {
  const search = new URLSearchParams({ ...params, lang: ctx.tr.lang });
  return `${path}?${search.toString()}`;
}

/** This page in another language: relative for the switch, absolute for hreflang. */
function languageUrl(ctx: PageContext, lang: Lang | undefined): URL {
  const url = new URL(ctx.url.href);
  if (lang) url.searchParams.set('lang', lang);
  else url.searchParams.delete('lang');
  return url;
}

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** Pages that show someone's address should not be indexed. */
  noindex?: boolean;
  /** Pages meant for printing get the date and their own URL at the bottom of the printout. */
  printed?: boolean;
}

/** The hoster's imprint, privacy and support links (German hosters must link Impressum and Datenschutz). */
export function brandLinks(ctx: PageContext): SafeHtml {
  const { tr, brand } = ctx;
  const links: SafeHtml[] = [];
  const imprint = safeHttpUrl(brand.imprintUrl);
  const privacy = safeHttpUrl(brand.privacyUrl);
  const support = safeHttpUrl(brand.supportUrl);
  if (imprint) links.push(html`<a href="${imprint}">${tr.t('footer.imprint')}</a>`);
  if (privacy) links.push(html`<a href="${privacy}">${tr.t('footer.privacy')}</a>`);
  if (support) links.push(html`<a href="${support}">${tr.t('footer.support')}</a>`);
  if (brand.supportEmail) links.push(html`<a href="mailto:${brand.supportEmail}">${brand.supportEmail}</a>`);
  return links.length ? html`<p class="brand-links">${links.map((l, i) => html`${i > 0 ? html` <span aria-hidden="true">·</span> ` : ''}${l}`)}</p>` : html``;
}

/** The support contact in a sentence, for error pages; empty when the hoster configured none. */
export function supportContact(ctx: PageContext): SafeHtml {
  const { tr, brand } = ctx;
  const support = safeHttpUrl(brand.supportUrl);
  const name = brand.name ?? tr.t('support.us');
  if (support && brand.supportEmail) {
    return html`<p class="support">${tr.h('support.both', { brand: name, url: html`<a href="${support}">${tr.t('footer.support')}</a>`, email: html`<a href="mailto:${brand.supportEmail}">${brand.supportEmail}</a>` })}</p>`;
  }
  if (support) return html`<p class="support">${tr.h('support.url', { brand: name, url: html`<a href="${support}">${tr.t('footer.support')}</a>` })}</p>`;
  if (brand.supportEmail) return html`<p class="support">${tr.h('support.email', { brand: name, email: html`<a href="mailto:${brand.supportEmail}">${brand.supportEmail}</a>` })}</p>`;
  return html``;
}

/** "Stand: 2. Dezember 2026" in the page language. */
function standDate(ctx: PageContext): string {
  if (!ctx.today) return '';
  const date = new Date(`${ctx.today}T12:00:00Z`);
  return new Intl.DateTimeFormat(ctx.tr.lang === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

export function layout(ctx: PageContext, options: LayoutOptions): string {
  const { tr } = ctx;
  const name = brandName(ctx);
  const logo = safeHttpUrl(ctx.brand.logo);
  const switchLinks = LANGS.map((lang) => {
    const url = languageUrl(ctx, lang);
    const current = lang === tr.lang;
    return html`<li><a href="${url.pathname + url.search}" lang="${lang}" hreflang="${lang}"${current ? html` aria-current="true"` : ''}>${tr.t(`lang.${lang}`)}</a></li>`;
  });
  const alternates = LANGS.map((lang) => html`<link rel="alternate" hreflang="${lang}" href="${languageUrl(ctx, lang).href}">`);
  const page = html`<!doctype html>
<html lang="${tr.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${options.title} · ${name}</title>
${options.noindex ? html`<meta name="robots" content="noindex">` : ''}
<meta name="referrer" content="no-referrer">
<link rel="stylesheet" href="${ctx.assets.css}">
<link rel="stylesheet" href="${ctx.assets.theme}">
<link rel="icon" href="${ctx.assets.icon}" type="image/svg+xml">
${alternates}
<link rel="alternate" hreflang="x-default" href="${languageUrl(ctx, undefined).href}">
<script src="${ctx.assets.js}" defer></script>
</head>
<body data-copy-label="${tr.t('card.copy')}" data-copied-label="${tr.t('card.copied')}">
<a class="skip" href="#main">${tr.t('nav.skip')}</a>
<header class="site">
<div class="wrap site-bar">
<a class="brand" href="${href(ctx, '/')}">${logo ? html`<img src="${logo}" alt="" height="32">` : ''}<span>${name}</span></a>
<nav class="langs" aria-label="${tr.t('nav.language')}"><ul>${switchLinks}</ul></nav>
</div>
</header>
<main id="main" class="wrap" tabindex="-1">
${options.body}
</main>
<footer class="site">
<div class="wrap">
<p>${tr.t('footer.text')}${ctx.brand.name ? html` ${tr.t('footer.brand', { brand: ctx.brand.name })}` : ''}</p>
<p class="no-print"><a href="${href(ctx, '/help/imap-pop3')}">${tr.t('footer.help')}</a></p>
${brandLinks(ctx)}
${options.printed ? html`<p class="print-only printed-at">${ctx.today ? html`${tr.t('print.stand', { date: standDate(ctx) })} · ` : ''}<span class="page-url">${ctx.url.href}</span></p>` : ''}
</div>
</footer>
<div id="copy-status" class="visually-hidden" role="status" aria-live="polite"></div>
</body>
</html>
`;
  return page.value;
}

/** The one address field; GET to /setup so the result is a shareable, bookmarkable URL. */
export function addressForm(ctx: PageContext, options: { value?: string | undefined; error?: string; id?: string } = {}): SafeHtml {
  const { tr } = ctx;
  const id = options.id ?? 'email';
  const describedBy = options.error ? `${id}-error ${id}-hint` : `${id}-hint`;
  return html`<form class="lookup" action="/setup" method="get">
<label for="${id}">${tr.t('form.label')}</label>
<p class="hint" id="${id}-hint">${tr.t('form.hint')}</p>
${options.error ? html`<p class="field-error" id="${id}-error">${options.error}</p>` : ''}
<div class="lookup-row">
<input id="${id}" name="email" type="text" inputmode="email" autocomplete="email" autocapitalize="off" spellcheck="false" required maxlength="320" aria-describedby="${describedBy}"${options.error ? html` aria-invalid="true"` : ''} value="${options.value ?? ''}">
<button type="submit">${tr.t('form.submit')}</button>
</div>
<input type="hidden" name="lang" value="${tr.lang}">
</form>`;
}
