import { html, safeHttpUrl, type SafeHtml } from '../html.js';
import { LANGS, type Lang, type Translator } from '../i18n/index.js';

export interface Brand {
  name?: string;
  /** http(s) URL of the logo (checked by loadConfig). */
  logo?: string;
}

export interface AssetUrls {
  css: string;
  theme: string;
  js: string;
}

/** What every page needs besides its own data. Built per request by the route. */
export interface PageContext {
  tr: Translator;
  brand: Brand;
  assets: AssetUrls;
  /** The absolute URL of this page (public base URL + path + query), for the language links. */
  url: URL;
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
<title>${options.title} · ${name}</title>
${options.noindex ? html`<meta name="robots" content="noindex">` : ''}
<meta name="referrer" content="no-referrer">
<link rel="stylesheet" href="${ctx.assets.css}">
<link rel="stylesheet" href="${ctx.assets.theme}">
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
<p><a href="${href(ctx, '/help/imap-pop3')}">${tr.t('footer.help')}</a></p>
</div>
</footer>
<div id="copy-status" class="visually-hidden" role="status" aria-live="polite"></div>
</body>
</html>
`;
  return page.value;
}

/** The one address field; GET to /setup so the result is a shareable, bookmarkable URL. */
export function addressForm(ctx: PageContext, options: { value?: string; error?: string; id?: string } = {}): SafeHtml {
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
