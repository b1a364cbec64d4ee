// The setup page's advice around the settings: what to do first, what to know, what to do when it fails, and
// where the settings come from.
import { html, safeHttpUrl, type SafeHtml } from '../html.js';
import type { MessageKey } from '../i18n/index.js';
import { sourceNotes } from '../view.js';
import { builtInLabel } from './setup-steps.js';
import type { SetupView } from './setup-view.js';

/** Provider texts mark emphasis like *this* (ISPDB instructions); show it as emphasis, escaped like any text. */
function emphasis(text: string): SafeHtml {
  return html`${text.split(/\*([^*\n]+)\*/).map((part, i) => (i % 2 === 1 ? html`<em>${part}</em>` : part))}`;
}

/** A link to another site; marked with its language when that is not the page's. */
function externalLink(page: SetupView, url: string, text: string, lang: string): SafeHtml {
  const { tr } = page.ctx;
  const foreign = lang !== tr.lang;
  const langName = lang === 'de' || lang === 'en' ? tr.t(`link.in.${lang}`) : lang;
  return html`<a class="external" href="${url}" rel="noopener noreferrer"${foreign ? html` hreflang="${lang}"` : ''}>${foreign ? html`<span lang="${lang}">${text}</span> <span class="link-lang">(${langName})</span>` : text}</a>`;
}

export function beforeYouStart(page: SetupView): SafeHtml {
  const { ctx, advice, provider } = page;
  const { tr } = ctx;
  const items: SafeHtml[] = [];
  for (const step of advice.enable) {
    const url = safeHttpUrl(step.url);
    const foreign = step.instruction && step.instruction.lang !== tr.lang;
    items.push(html`<li><p>${tr.t('before.enable', { provider })}</p>
${step.instruction ? html`<p class="instruction"${foreign ? html` lang="${step.instruction.lang}"` : ''}>${emphasis(step.instruction.text)}</p>` : ''}
${url ? html`<p>${externalLink(page, url, tr.t('before.enableLink', { provider }), tr.lang)}</p>` : ''}</li>`);
  }
  for (const fact of advice.facts) items.push(html`<li><p>${fact}</p></li>`);
  const signIn = advice.signIn;
  if (signIn.kind === 'oauth-only') items.push(html`<li><p>${tr.t('before.oauthOnly', { provider })}</p></li>`);
  if (signIn.kind === 'oauth-first') items.push(html`<li><p>${tr.t('before.oauthFirst', { provider, type: builtInLabel(signIn.builtInAccount) ?? provider })}</p></li>`);
  if (signIn.appPassword) {
    const app = signIn.appPassword;
    const url = safeHttpUrl(app.url);
    const key: MessageKey = signIn.kind === 'oauth-first' ? 'before.appPasswordOnly' : 'before.appPassword';
    items.push(html`<li><p>${tr.t(key, { provider })}${app.needsTwoStep ? html` ${tr.t('before.twoStep', { provider })}` : ''}</p>
${url ? html`<p>${externalLink(page, url, tr.t('before.appPasswordLink', { provider }), tr.lang)}</p>` : ''}</li>`);
  }
  if (items.length === 0) return html``;
  return html`<section class="notice" aria-labelledby="before"><h2 id="before">${tr.t('before.title')}</h2><ul class="plain">${items}</ul></section>`;
}

/** What IMAP and POP3 mean for this visitor: the facts that decide, and the pitfalls. */
export function goodToKnow(page: SetupView): SafeHtml {
  const { ctx, cards, popOnly, plaintextOnly } = page;
  const { tr } = ctx;
  const hasPop3 = cards.some((c) => c.protocol === 'pop3');
  const hasImap = cards.some((c) => c.protocol === 'imap');
  const item = (title: MessageKey, text: MessageKey, cls = '') => html`<li class="${cls}"><strong>${tr.t(title)}</strong> ${tr.t(text)}</li>`;
  const items: SafeHtml[] = [];
  if (hasImap && hasPop3) items.push(item('help.both.title', 'warn.both', 'keep-print'));
  if (hasImap) items.push(item('warn.sentTitle', 'warn.sent'));
  if (hasPop3) items.push(item('warn.flagsTitle', 'warn.flags'));
  if (popOnly) items.push(item('warn.twoDevicesTitle', 'warn.twoDevices'));
  else if (hasPop3) items.push(item('warn.leaveTitle', 'warn.leave'));
  if (hasImap && hasPop3) items.push(item('help.switch.title', 'warn.switch'));
  items.push(item('warn.contactsTitle', hasImap ? 'warn.contacts' : 'warn.contactsPop'));
  items.push(item('help.size.title', popOnly ? 'warn.sizePop' : 'warn.size'));
  if (plaintextOnly) items.push(item('warn.port25Title', 'warn.port25'));
  return html`<section class="warnings" aria-labelledby="warnings">
<h2 id="warnings">${tr.t('warn.title')}</h2>
<ul>${items}</ul>
</section>`;
}

/** When it does not work: the five problems help centres answer most often. */
export function troubleshooting(page: SetupView): SafeHtml {
  const { ctx, input, advice, provider, outgoing } = page;
  const { tr } = ctx;
  const signIn = advice.signIn;
  const authKey: MessageKey = signIn.kind === 'oauth-only' ? 'trouble.authOauth' : signIn.appPassword ? 'trouble.authApp' : 'trouble.auth';
  const sendPort = outgoing ? String(outgoing.port) : '587';
  const entries: Array<[MessageKey, SafeHtml]> = [
    ['trouble.authTitle', html`${tr.t(authKey, { provider })}`],
    ['trouble.certTitle', html`${tr.t('trouble.cert')}`],
    ['trouble.sendTitle', html`${tr.t('trouble.send', { port: sendPort })}`],
    ['trouble.fullTitle', html`${tr.t('trouble.full')}`],
    ['trouble.passwordTitle', html`${tr.t(signIn.kind === 'oauth-only' || signIn.kind === 'oauth-first' ? 'trouble.passwordOauth' : 'trouble.password', { provider })}`],
  ];
  return html`<section class="trouble no-print" aria-labelledby="trouble">
<h2 id="trouble">${tr.t('trouble.title')}</h2>
<dl class="trouble-list">${entries.map(([title, text]) => html`<div><dt>${tr.t(title)}</dt><dd>${text}</dd></div>`)}</dl>
<p><a href="/check/${encodeURIComponent(input.domain)}?lang=${tr.lang}">${tr.t('trouble.check', { domain: input.domainUnicode })}</a></p>
</section>`;
}

const SOURCE_KEYS = {
  database: 'source.database',
  autoconfig: 'source.autoconfig',
  mx: 'source.mx',
  srv: 'source.srv',
  probe: 'source.probe',
} as const satisfies Record<string, MessageKey>;

/** Where the settings come from, in words; never an internal file name. */
export function sources(page: SetupView): SafeHtml {
  const { ctx, input, cards } = page;
  const { tr } = ctx;
  if (input.brandDomain && ctx.brand.name) {
    return html`<section class="source" aria-labelledby="source"><h2 id="source">${tr.t('source.title')}</h2><p>${tr.t('source.brand', { brand: ctx.brand.name, domain: input.domainUnicode })}</p></section>`;
  }
  const notes = sourceNotes(input.config, cards);
  const low = notes.some((n) => n.lowConfidence);
  return html`<section class="source" aria-labelledby="source">
<h2 id="source">${tr.t('source.title')}</h2>
<ul>${notes.map((n) => html`<li>${tr.t(SOURCE_KEYS[n.kind], { domain: input.domainUnicode })}</li>`)}</ul>
${low ? html`<p class="check">${tr.t('source.lowConfidence')}</p>` : ''}
</section>`;
}

export function documentation(page: SetupView): SafeHtml {
  const { ctx, advice, provider } = page;
  const { tr } = ctx;
  if (advice.links.length === 0) return html``;
  return html`<section class="docs no-print" aria-labelledby="docs">
<h2 id="docs">${tr.t('docs.title', { provider })}</h2>
<ul>${advice.links.map((l) => html`<li>${externalLink(page, l.url, l.text ?? tr.t('docs.fallback', { provider }), l.lang)}</li>`)}</ul>
</section>`;
}
