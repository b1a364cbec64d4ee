import type { ServerSettings } from '../../settings/model.js';
import { html, type SafeHtml } from '../html.js';
import type { MessageKey } from '../i18n/index.js';
import { takesPassword } from '../provider-notes/sign-in.js';
import { displayHost, usernameParts, type SettingsCard } from '../view.js';
import { addressForm, breakableAddress, hostName, href, layout, type PageContext } from './layout.js';
import { beforeYouStart, documentation, goodToKnow, sources, troubleshooting } from './setup-advice.js';
import { clientSteps } from './setup-steps.js';
import { SECURITY_HINTS, SECURITY_KEYS, setupView, type SetupInput, type SetupView } from './setup-view.js';

export type { SetupInput } from './setup-view.js';

/** `/setup?email=` and `/setup/<domain>`: the visitor's settings and the advice that goes with them. */
export function setupPage(ctx: PageContext, input: SetupInput): string {
  const { tr } = ctx;
  const page = setupView(ctx, input);
  const { cards, provider, shownAddress } = page;
  const titleText = shownAddress ? tr.t('setup.title', { address: shownAddress }) : tr.t('setup.titleDomain', { domain: input.domainUnicode });
  const title = input.address
    ? tr.h('setup.title', { address: breakableAddress(`${input.address.localPart}@${input.address.domainUnicode}`) })
    : tr.h('setup.titleDomain', { domain: breakableAddress(input.domainUnicode) });
  const main = cards.filter((c) => c.role !== 'alternative');
  const pop3 = cards.find((c) => c.role === 'alternative');
  const printButton = (where: string) =>
    html`<button type="button" class="secondary print-button print-${where}" data-print hidden>${tr.t('setup.print')}</button>`;
  const body = html`<div class="page-head">
<h1>${title}</h1>
<p class="provider">${input.brandDomain && ctx.brand.name ? tr.t('setup.fromBrand', { brand: ctx.brand.name }) : tr.t('setup.provider', { provider })}</p>
${printButton('top')}
</div>
<p class="lead">${tr.t(input.address ? 'setup.lead' : 'setup.leadDomain')}</p>
${page.plaintextOnly ? html`<div class="alert" role="note"><p><strong>${tr.t('plain.title')}</strong> ${tr.t('plain.text', { provider })}</p></div>` : ''}
${summary(page)}
<section class="cards" aria-labelledby="settings">
<h2 id="settings" class="visually-hidden">${tr.t('setup.cardsTitle')}</h2>
<div class="card-grid">${main.map((card) => settingsCard(page, card))}</div>
${pop3 ? html`<details class="more-pop3" id="pop3"><summary>${tr.t('card.pop3.more')}</summary>${settingsCard(page, pop3)}</details>` : ''}
</section>
${beforeYouStart(page)}
${clientSteps(page)}
${goodToKnow(page)}
${troubleshooting(page)}
${sources(page)}
${documentation(page)}
<p class="no-print"><a href="${href(ctx, '/help/imap-pop3')}">${tr.t('setup.helpLink')}</a></p>
<section class="panel no-print" aria-labelledby="other-address">
<h2 id="other-address">${tr.t(input.address ? 'setup.otherAddress' : 'setup.yourAddress')}</h2>
${addressForm(ctx, { id: 'email' })}
</section>
<p class="print-row">${printButton('end')}</p>`;
  return layout(ctx, { title: titleText, body, noindex: input.address !== undefined, printed: true });
}

/** One line: "IMAP imap.gmail.com · 993 · SSL/TLS · alice@gmail.com". */
function summary(page: SetupView): SafeHtml {
  const { ctx, input, incoming } = page;
  if (!incoming) return html``;
  const user = usernameParts(incoming.username || '%EMAILADDRESS%', input.domain);
  const filled = user.every((p) => 'text' in p) ? user.map((p) => ('text' in p ? p.text : '')).join('') : undefined;
  const parts: SafeHtml[] = [
    html`<strong>${incoming.protocol.toUpperCase()}</strong> ${hostName(displayHost(incoming.host, input.domain))}`,
    html`${incoming.port}`,
    html`${ctx.tr.t(SECURITY_KEYS[incoming.security])}`,
  ];
  if (filled) parts.push(html`<span class="nowrap-any">${filled}</span>`);
  return html`<p class="summary">${parts.map((p, i) => html`${i > 0 ? html` <span aria-hidden="true">·</span> ` : ''}${p}`)}</p>`;
}

const CARD_TEXT: Record<SettingsCard['role'], { title: MessageKey; badge: MessageKey; why: MessageKey }> = {
  recommended: { title: 'card.imap.title', badge: 'card.imap.badge', why: 'card.imap.why' },
  alternative: { title: 'card.pop3.title', badge: 'card.pop3.badge', why: 'card.pop3.why' },
  only: { title: 'card.pop3.title', badge: 'card.pop3.badge', why: 'card.pop3only.why' },
  sending: { title: 'card.smtp.title', badge: 'card.smtp.badge', why: 'card.smtp.why' },
};

function settingsCard(page: SetupView, card: SettingsCard): SafeHtml {
  const { ctx, input, provider } = page;
  const { tr } = ctx;
  const text = CARD_TEXT[card.role];
  const server = card.server;
  const id = `card-${card.protocol}`;
  const proto = card.protocol.toUpperCase();
  const host = displayHost(server.host, input.domain);
  const copy = (field: MessageKey) => `${tr.t(field)} (${proto})`;
  const badge = card.role === 'only' || card.role === 'alternative' ? '' : html` <span class="badge badge-${card.role}">${tr.t(text.badge)}</span>`;
  return html`<section class="card card-${card.role}" id="${id}" aria-labelledby="${id}-title">
<h3 id="${id}-title">${tr.t(text.title)}${badge}</h3>
<dl class="fields">
<div><dt>${tr.t('field.host')}</dt><dd><code class="value host" data-copy="${copy('field.host')}">${hostName(host)}</code></dd></div>
<div><dt>${tr.t('field.port')}</dt><dd><code class="value" data-copy="${copy('field.port')}">${server.port}</code></dd></div>
<div><dt>${tr.t('field.security')}</dt><dd><strong class="security security-${server.security}">${tr.t(SECURITY_KEYS[server.security])}</strong></dd></div>
<div><dt>${tr.t('field.username')}</dt><dd>${username(page, server, copy('field.username'))}</dd></div>
<div><dt>${tr.t('field.auth')}</dt><dd>${authentication(page, server)}</dd></div>
${passwordRow(page, server)}
</dl>
<p class="hint security-hint">${tr.t(SECURITY_HINTS[server.security])}</p>
${card.alternatives.length ? html`<p class="alternatives">${tr.t('card.alternatives')} ${card.alternatives.map((alt, i) => html`${i > 0 ? '; ' : ''}${alternative(page, server, alt)}`)}</p>` : ''}
${(server.warnings ?? []).map((w) => html`<p class="check">${tr.t('card.check', { warning: w })}</p>`)}
<p class="why">${tr.t(text.why, { provider })}</p>
</section>`;
}

function alternative({ ctx, input }: SetupView, best: ServerSettings, alt: ServerSettings): SafeHtml {
  const { tr } = ctx;
  const security = tr.t(SECURITY_KEYS[alt.security]);
  if (alt.host === best.host) return tr.h('card.altSamePort', { port: alt.port, security });
  return tr.h('card.altOtherHost', { host: html`<code>${hostName(displayHost(alt.host, input.domain))}</code>`, port: alt.port, security });
}

function username({ ctx, input }: SetupView, server: ServerSettings, copyLabel: string): SafeHtml {
  const parts = usernameParts(server.username || '%EMAILADDRESS%', input.domain);
  const filled = parts.every((p) => 'text' in p);
  if (filled) return html`<code class="value" data-copy="${copyLabel}">${breakableAddress(parts.map((p) => ('text' in p ? p.text : '')).join(''))}</code>`;
  const words: Record<'address' | 'localpart' | 'realname', MessageKey> = {
    address: 'placeholder.address',
    localpart: 'placeholder.localpart',
    realname: 'placeholder.realname',
  };
  return html`<span class="placeholder-value">${parts.map((p) => ('text' in p ? html`<code>${p.text}</code>` : html`<em>${ctx.tr.t(words[p.placeholder])}</em>`))}</span>`;
}

function authentication({ ctx }: SetupView, server: ServerSettings): SafeHtml {
  const { tr } = ctx;
  const names = server.auth.map((a) => tr.t(`auth.${a}`));
  return html`<span>${names.map((n, i) => html`${i > 0 ? html` <span class="or">${tr.t('auth.or')}</span> ` : ''}${n}`)}</span>`;
}

/** The password row, right for how this provider signs in; none at all where no password is ever typed. */
function passwordRow({ ctx, advice, provider }: SetupView, server: ServerSettings): SafeHtml {
  const { tr } = ctx;
  const row = (key: MessageKey, cls = '') => html`<div class="${cls}"><dt>${tr.t('field.password')}</dt><dd>${tr.t(key, { provider })}</dd></div>`;
  const signIn = advice.signIn;
  if (signIn.kind === 'oauth-only') return html`<div class="signin"><dt>${tr.t('field.signin')}</dt><dd>${tr.t('value.signinWindow', { provider })}</dd></div>`;
  if (server.auth.every((a) => a === 'none' || a === 'client-IP-address')) return row('value.passwordNone');
  if (signIn.kind === 'oauth-first') {
    return html`<div class="signin"><dt>${tr.t('field.signin')}</dt><dd>${tr.t(signIn.appPassword ? 'value.signinOrAppPassword' : 'value.signinFirst', { provider })}</dd></div>`;
  }
  if (!takesPassword(server)) return html``;
  return row(signIn.appPassword ? 'value.passwordApp' : 'value.password');
}

