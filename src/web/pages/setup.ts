import type { EmailAddress } from '../../settings/address.js';
import type { MailConfig, Security, ServerSettings } from '../../settings/model.js';
import { html, safeHttpUrl, type SafeHtml } from '../html.js';
import type { MessageKey } from '../i18n/index.js';
import { qrSvg } from '../qr.js';
import {
  appPasswordHint,
  displayHost,
  enableSteps,
  pickLocalized,
  settingsCards,
  sourceNotes,
  usernameParts,
  type SettingsCard,
} from '../view.js';
import { addressForm, href, layout, type PageContext } from './layout.js';

export interface SetupInput {
  /** The settings, already personalized when an address is given. */
  config: MailConfig;
  /** ASCII domain the settings are for, and its Unicode form for display. */
  domain: string;
  domainUnicode: string;
  address?: EmailAddress;
  /** Absolute URL of the Apple profile for this address (also encoded in the QR code). */
  profileUrl?: string;
}

/** `/setup?email=` and `/setup/<domain>`: the visitor's settings and the advice that goes with them. */
export function setupPage(ctx: PageContext, input: SetupInput): string {
  const { tr } = ctx;
  const cards = settingsCards(input.config);
  const provider = input.config.displayName ?? input.domainUnicode;
  const shownAddress = input.address ? `${input.address.localPart}@${input.address.domainUnicode}` : undefined;
  const title = shownAddress ? tr.t('setup.title', { address: shownAddress }) : tr.t('setup.titleDomain', { domain: input.domainUnicode });
  const page: SetupView = { ctx, input, cards, provider, shownAddress };
  const body = html`<div class="page-head">
<h1>${title}</h1>
<p class="provider">${tr.t('setup.provider', { provider })}</p>
<button type="button" class="secondary print-button" data-print hidden>${tr.t('setup.print')}</button>
</div>
<p class="lead">${tr.t('setup.lead')}</p>
${input.address ? '' : html`<p>${tr.t('setup.leadDomain')}</p>`}
${beforeYouStart(page)}
<section class="cards" aria-labelledby="settings">
<h2 id="settings">${tr.t('setup.cardsTitle')}</h2>
<div class="card-grid">${cards.map((card) => settingsCard(page, card))}</div>
</section>
${warnings(page)}
${clientSteps(page)}
${sources(page)}
${documentation(page)}
<p class="no-print"><a href="${href(ctx, '/help/imap-pop3')}">${tr.t('setup.helpLink')}</a></p>
<p class="no-print"><a href="${href(ctx, `/check/${input.domain}`)}">${tr.t('check.link')}</a></p>
<section class="panel no-print" aria-labelledby="other-address">
<h2 id="other-address">${tr.t(input.address ? 'setup.otherAddress' : 'setup.yourAddress')}</h2>
${addressForm(ctx, { id: 'email' })}
</section>`;
  return layout(ctx, { title, body, noindex: input.address !== undefined });
}

interface SetupView {
  ctx: PageContext;
  input: SetupInput;
  cards: SettingsCard[];
  provider: string;
  shownAddress?: string;
}

const SECURITY_KEYS: Record<Security, MessageKey> = { tls: 'security.tls', starttls: 'security.starttls', none: 'security.none' };
const SECURITY_HINTS: Record<Security, MessageKey> = {
  tls: 'security.tls.hint',
  starttls: 'security.starttls.hint',
  none: 'security.none.hint',
};

function beforeYouStart({ ctx, input, provider }: SetupView): SafeHtml {
  const { tr } = ctx;
  const items: SafeHtml[] = [];
  for (const step of enableSteps(input.config.enable, tr.lang)) {
    const url = safeHttpUrl(step.url);
    items.push(html`<li><p>${tr.t('before.enable', { provider })}</p>
${step.instruction ? html`<p class="instruction"${step.instruction.lang !== tr.lang ? html` lang="${step.instruction.lang}"` : ''}>${emphasis(step.instruction.text)}</p>` : ''}
${url ? html`<p><a class="external" href="${url}" rel="noopener noreferrer">${tr.t('before.enableLink', { provider })}</a></p>` : ''}</li>`);
  }
  const hint = appPasswordHint(input.config);
  if (hint) {
    const url = safeHttpUrl(hint.url);
    items.push(html`<li><p>${tr.t(hint.oauth ? 'before.oauth' : 'before.appPassword', { provider })}</p>
${url ? html`<p><a class="external" href="${url}" rel="noopener noreferrer">${tr.t('before.appPasswordLink', { provider })}</a></p>` : ''}</li>`);
  }
  if (items.length === 0) return html``;
  return html`<section class="notice" aria-labelledby="before"><h2 id="before">${tr.t('before.title')}</h2><ul class="plain">${items}</ul></section>`;
}

/** Provider texts mark emphasis like *this* (ISPDB instructions); show it as emphasis, escaped like any text. */
function emphasis(text: string): SafeHtml {
  return html`${text.split(/\*([^*\n]+)\*/).map((part, i) => (i % 2 === 1 ? html`<em>${part}</em>` : part))}`;
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
  const badge = card.role === 'only' ? '' : html` <span class="badge badge-${card.role}">${tr.t(text.badge)}</span>`;
  return html`<section class="card card-${card.role}" aria-labelledby="${id}">
<h3 id="${id}">${tr.t(text.title)}${badge}</h3>
<p class="why">${tr.t(text.why, { provider })}</p>
<dl class="fields">
<div><dt>${tr.t('field.host')}</dt><dd><code class="value" data-copy="${copy('field.host')}">${host}</code></dd></div>
<div><dt>${tr.t('field.port')}</dt><dd><code class="value" data-copy="${copy('field.port')}">${server.port}</code></dd></div>
<div><dt>${tr.t('field.security')}</dt><dd><strong class="security security-${server.security}">${tr.t(SECURITY_KEYS[server.security])}</strong><span class="hint">${tr.t(SECURITY_HINTS[server.security])}</span></dd></div>
<div><dt>${tr.t('field.username')}</dt><dd>${username(page, server, copy('field.username'))}</dd></div>
<div><dt>${tr.t('field.auth')}</dt><dd>${authentication(page, server)}</dd></div>
<div><dt>${tr.t('field.password')}</dt><dd>${password(page, server)}</dd></div>
</dl>
${card.alternatives.length ? html`<p class="alternatives">${tr.t('card.alternatives')} ${card.alternatives.map((alt, i) => html`${i > 0 ? '; ' : ''}${alternative(page, server, alt)}`)}</p>` : ''}
${(server.warnings ?? []).map((w) => html`<p class="check">${tr.t('card.check', { warning: w })}</p>`)}
</section>`;
}

function alternative({ ctx, input }: SetupView, best: ServerSettings, alt: ServerSettings): SafeHtml {
  const { tr } = ctx;
  const security = tr.t(SECURITY_KEYS[alt.security]);
  if (alt.host === best.host) return tr.h('card.altSamePort', { port: alt.port, security });
  return tr.h('card.altOtherHost', { host: html`<code>${displayHost(alt.host, input.domain)}</code>`, port: alt.port, security });
}

function username({ ctx, input }: SetupView, server: ServerSettings, copyLabel: string): SafeHtml {
  const parts = usernameParts(server.username || '%EMAILADDRESS%', input.domain);
  const filled = parts.every((p) => 'text' in p);
  if (filled) return html`<code class="value" data-copy="${copyLabel}">${parts.map((p) => ('text' in p ? p.text : ''))}</code>`;
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

function password({ ctx, input }: SetupView, server: ServerSettings): string {
  const { tr } = ctx;
  if (server.auth.every((a) => a === 'none' || a === 'client-IP-address')) return tr.t('value.passwordNone');
  return appPasswordHint(input.config) ? tr.t('value.passwordApp') : tr.t('value.password');
}

function warnings({ ctx }: SetupView): SafeHtml {
  const { tr } = ctx;
  return html`<section class="warnings" aria-labelledby="warnings">
<h2 id="warnings">${tr.t('warn.title')}</h2>
<ul>
<li><strong>${tr.t('help.both.title')}</strong> ${tr.t('warn.both')}</li>
<li><strong>${tr.t('warn.leaveTitle')}</strong> ${tr.t('warn.leave')}</li>
<li><strong>${tr.t('help.switch.title')}</strong> ${tr.t('warn.switch')}</li>
<li><strong>${tr.t('help.size.title')}</strong> ${tr.t('warn.size')}</li>
</ul>
</section>`;
}

/** A value inside a step: the real one when known, else the words for it. */
function stepValue(value: string | number | undefined, fallback: string): SafeHtml {
  return value === undefined ? html`<em>${fallback}</em>` : html`<strong>${value}</strong>`;
}

function clientSteps(page: SetupView): SafeHtml {
  const { ctx, input, cards, provider, shownAddress } = page;
  const { tr } = ctx;
  const address = stepValue(shownAddress, tr.t('placeholder.address'));
  const incoming = cards.find((c) => c.protocol !== 'smtp')?.server;
  const outgoing = cards.find((c) => c.protocol === 'smtp')?.server;
  const serverVars = (s: ServerSettings) => ({
    host: html`<code>${displayHost(s.host, input.domain)}</code>`,
    port: html`<code>${s.port}</code>`,
    security: html`<strong>${tr.t(SECURITY_KEYS[s.security])}</strong>`,
  });
  const steps = (items: SafeHtml[]) => html`<ol>${items.map((i) => html`<li>${i}</li>`)}</ol>`;
  const client = (id: string, title: MessageKey, content: SafeHtml) =>
    html`<details class="client" id="${id}"><summary><h3>${tr.t(title)}</h3></summary><div class="client-body">${content}</div></details>`;
  const popOnly = incoming?.protocol === 'pop3';

  const thunderbird = steps([tr.h('tb.s1'), tr.h('tb.s2', { address }), tr.h('tb.s3'), tr.h('tb.s4')]);
  const outlook = html`${steps([
    tr.h('outlook.s1'),
    tr.h('outlook.s2', { address }),
    tr.h('outlook.s3'),
    ...(incoming ? [tr.h('outlook.s4', serverVars(incoming))] : []),
    ...(outgoing ? [tr.h('outlook.s5', serverVars(outgoing))] : []),
    tr.h('outlook.s6'),
  ])}<p>${tr.t('outlook.new')}</p>`;
  const apple = html`<p>${tr.t('apple.lead')}</p>
${input.profileUrl ? profileBlock(page, input.profileUrl) : html`<p class="note">${tr.t('apple.needAddress')}</p>`}
<h4>${tr.t('apple.ios')}</h4>${steps([tr.h('apple.ios.s1'), tr.h('apple.ios.s2'), tr.h('apple.ios.s3')])}
<h4>${tr.t('apple.mac')}</h4>${steps([tr.h('apple.mac.s1'), tr.h('apple.mac.s2')])}
<p>${tr.t('apple.manual')}</p>`;
  const android = html`<h4>${tr.t('k9.title')}</h4>${steps([tr.h('k9.s1'), tr.h('k9.s2', { address }), tr.h('k9.s3')])}
<h4>${tr.t('gmail.title')}</h4>${steps([tr.h('gmail.s1'), tr.h('gmail.s2', { address }), tr.h('gmail.s3')])}`;
  const other = steps([tr.h('other.s1'), tr.h('other.s2'), tr.h('other.s3')]);

  return html`<section class="clients no-print" aria-labelledby="clients">
<h2 id="clients">${tr.t('clients.title')}</h2>
<p>${tr.t('clients.values')}</p>
${popOnly ? html`<p class="note">${tr.t('clients.pop3only', { provider })}</p>` : ''}
${client('thunderbird', 'tb.title', thunderbird)}
${client('outlook', 'outlook.title', outlook)}
${client('apple', 'apple.title', apple)}
${client('android', 'android.title', android)}
${client('other', 'other.title', other)}
</section>`;
}

function profileBlock({ ctx, shownAddress }: SetupView, profileUrl: string): SafeHtml {
  const { tr } = ctx;
  const url = new URL(profileUrl);
  return html`<div class="profile">
<p><a class="button" href="${url.pathname + url.search}" id="profile-download">${tr.t('apple.download')}</a></p>
<figure class="qr-block">
${qrSvg(url.href, tr.t('apple.qrLabel', { address: shownAddress ?? '' }))}
<figcaption>${tr.t('apple.qr')}</figcaption>
</figure>
</div>`;
}

const SOURCE_KEYS = {
  database: 'source.database',
  autoconfig: 'source.autoconfig',
  mx: 'source.mx',
  srv: 'source.srv',
  probe: 'source.probe',
} as const satisfies Record<string, MessageKey>;

function sources({ ctx, input, cards }: SetupView): SafeHtml {
  const { tr } = ctx;
  const notes = sourceNotes(input.config, cards);
  const low = notes.some((n) => n.lowConfidence);
  return html`<section class="source" aria-labelledby="source">
<h2 id="source">${tr.t('source.title')}</h2>
<ul>${notes.map((n) => html`<li>${tr.t(SOURCE_KEYS[n.kind], { domain: input.domainUnicode })}${n.detail ? html` <span class="detail">${tr.h('source.detail', { detail: html`<code>${n.detail}</code>` })}</span>` : ''}</li>`)}</ul>
${low ? html`<p class="check">${tr.t('source.lowConfidence')}</p>` : ''}
</section>`;
}

function documentation({ ctx, input, provider }: SetupView): SafeHtml {
  const { tr } = ctx;
  const links = input.config.documentation
    .map((doc) => ({ url: safeHttpUrl(doc.url), descr: pickLocalized(doc.descriptions, tr.lang) }))
    .filter((d): d is { url: string; descr: ReturnType<typeof pickLocalized> } => d.url !== undefined);
  if (links.length === 0) return html``;
  return html`<section class="docs no-print" aria-labelledby="docs">
<h2 id="docs">${tr.t('docs.title', { provider })}</h2>
<ul>${links.map(
    (d) =>
      html`<li><a class="external" href="${d.url}" rel="noopener noreferrer"${d.descr && d.descr.lang !== tr.lang ? html` lang="${d.descr.lang}"` : ''}>${d.descr?.text ?? tr.t('docs.fallback', { provider })}</a></li>`,
  )}</ul>
</section>`;
}
