// Step by step for today's mail programs, with the visitor's values and the provider's way of signing in.
import type { ServerSettings } from '../../settings/model.js';
import { CLIENTS, type ClientId } from '../clients.js';
import { html, type HtmlValue, type SafeHtml } from '../html.js';
import type { MessageKey } from '../i18n/index.js';
import type { BuiltInAccount } from '../provider-notes/notes.js';
import { displayHost } from '../view.js';
import { hostName } from './layout.js';
import { profileBlock, SECURITY_KEYS, type SetupView } from './setup-view.js';

const TITLES: Record<ClientId, MessageKey> = {
  thunderbird: 'tb.title',
  'outlook-new': 'outlookNew.title',
  'outlook-classic': 'outlook.title',
  ios: 'ios.title',
  mac: 'mac.title',
  samsung: 'samsung.title',
  android: 'k9.title',
  'outlook-mobile': 'outlookMobile.title',
  'gmail-app': 'gmail.title',
  other: 'other.title',
};

/** What each program calls the provider's own account type (the programs sign in through its window). */
const BUILT_IN: Record<'ios' | 'mac' | 'samsung' | 'gmail', Partial<Record<BuiltInAccount, string>>> = {
  ios: { google: 'Google', 'outlook.com': 'Outlook.com', microsoft365: 'Microsoft Exchange', yahoo: 'Yahoo', icloud: 'iCloud' },
  mac: { google: 'Google', 'outlook.com': 'Microsoft Exchange', microsoft365: 'Microsoft Exchange', yahoo: 'Yahoo!', icloud: 'iCloud' },
  samsung: { google: 'Gmail', 'outlook.com': 'Hotmail/Outlook', microsoft365: 'Office 365', yahoo: 'Yahoo Mail' },
  gmail: { google: 'Google', 'outlook.com': 'Outlook, Hotmail und Live', microsoft365: 'Exchange und Microsoft 365', yahoo: 'Yahoo' },
};
// The Gmail app's English labels differ from its German ones; everything else is a brand name.
const GMAIL_EN: Partial<Record<BuiltInAccount, string>> = { 'outlook.com': 'Outlook, Hotmail, and Live', microsoft365: 'Exchange and Microsoft 365' };

/** Short names for the chooser, so it stays a few lines on a phone. */
const SHORT: Record<ClientId, MessageKey> = {
  thunderbird: 'chooser.thunderbird',
  'outlook-new': 'chooser.outlookNew',
  'outlook-classic': 'chooser.outlookClassic',
  ios: 'chooser.ios',
  mac: 'chooser.mac',
  samsung: 'chooser.samsung',
  android: 'chooser.android',
  'outlook-mobile': 'chooser.outlookMobile',
  'gmail-app': 'chooser.gmail',
  other: 'chooser.other',
};

/** What iPhone and iPad call the provider's account type ("Google"), for advice outside the steps. */
export function builtInLabel(builtIn: BuiltInAccount | undefined): string | undefined {
  return builtIn ? BUILT_IN.ios[builtIn] : undefined;
}

export function clientSteps(page: SetupView): SafeHtml {
  const { ctx, input, provider, shownAddress, incoming, outgoing, advice, popOnly } = page;
  const { tr } = ctx;
  const signIn = advice.signIn;
  const oauth = signIn.kind === 'oauth-only' || signIn.kind === 'oauth-first';
  const builtIn = signIn.builtInAccount;
  const address = shownAddress === undefined ? html`<em>${tr.t('placeholder.address')}</em>` : html`<strong>${shownAddress}</strong>`;
  const proto = incoming?.protocol === 'pop3' ? 'POP3' : 'IMAP';
  const protoOutlook = incoming?.protocol === 'pop3' ? 'POP' : 'IMAP';
  const serverVars = (s: ServerSettings) => ({
    host: html`<code>${hostName(displayHost(s.host, input.domain))}</code>`,
    port: html`<code>${s.port}</code>`,
    security: html`<strong>${tr.t(SECURITY_KEYS[s.security])}</strong>`,
  });
  const vars: Record<string, HtmlValue> = { address, provider, proto, protoOutlook };
  const s = (key: MessageKey, extra: Record<string, HtmlValue> = {}) => tr.h(key, { ...vars, ...extra });
  const steps = (items: Array<SafeHtml | false | undefined>) => html`<ol>${items.filter((i): i is SafeHtml => !!i).map((i) => html`<li>${i}</li>`)}</ol>`;
  const serverSteps = (inKey: MessageKey, outKey: MessageKey) => [incoming ? s(inKey, serverVars(incoming)) : undefined, outgoing ? s(outKey, serverVars(outgoing)) : undefined];
  const note = (key: MessageKey, extra: Record<string, HtmlValue> = {}) => html`<p class="note">${s(key, extra)}</p>`;
  const typeFor = (program: keyof typeof BUILT_IN) => {
    if (!builtIn) return undefined;
    if (program === 'gmail' && tr.lang === 'en') return GMAIL_EN[builtIn] ?? BUILT_IN.gmail[builtIn];
    return BUILT_IN[program][builtIn];
  };
  const passwordWord = signIn.appPassword ? tr.t('word.appPassword') : tr.t('word.password');

  const content: Record<ClientId, SafeHtml> = {
    thunderbird: html`${steps([
      s('tb.s1'),
      s(oauth ? 'tb.s2Oauth' : 'tb.s2', { password: passwordWord }),
      s(oauth ? 'tb.s3Oauth' : 'tb.s3'),
      !oauth && s('tb.s4'),
    ])}${note('tb.hub')}`,

    'outlook-new': html`${steps(
      builtIn || oauth
        ? [s('outlookNew.s1'), s('outlookNew.s2'), s('outlookNew.sOauth')]
        : [s('outlookNew.s1'), s('outlookNew.s2'), s('outlookNew.s3'), ...serverSteps('outlook.sIn', 'outlook.sOut'), s('outlookNew.s4', { password: passwordWord })],
    )}${note('outlookNew.cloud')}`,

    'outlook-classic': steps(
      builtIn || oauth
        ? [s('outlook.s1'), s('outlook.s2Oauth')]
        : [s('outlook.s1'), s('outlook.s2'), s('outlook.s3'), ...serverSteps('outlook.sIn', 'outlook.sOut'), s('outlook.s6', { password: passwordWord })],
    ),

    ios: appleSteps(page, 'ios', typeFor('ios'), s, steps, note),
    mac: appleSteps(page, 'mac', typeFor('mac'), s, steps, note),

    samsung: typeFor('samsung')
      ? steps([s('samsung.s1'), s('samsung.sBuiltIn', { type: typeFor('samsung') ?? '' })])
      : signIn.passwordsAllowed
        ? steps([s('samsung.s1'), s('samsung.s2', { password: passwordWord }), s('samsung.s3')])
        : note('steps.noPassword'),

    android: signIn.passwordsAllowed || oauth
      ? steps([s('k9.s1'), s(oauth ? 'k9.s2Oauth' : 'k9.s2', { password: passwordWord }), !oauth && s('k9.s3')])
      : note('steps.noPassword'),

    'outlook-mobile': popOnly
      ? note('outlookMobile.noPop')
      : steps(
          builtIn || oauth
            ? [s('outlookMobile.s1'), s('outlookMobile.s2'), s('outlookMobile.sOauth')]
            : [s('outlookMobile.s1'), s('outlookMobile.s2'), s('outlookMobile.s3', { password: passwordWord })],
        ),

    'gmail-app': typeFor('gmail')
      ? html`${steps([s('gmail.s1'), s('gmail.sBuiltIn', { type: typeFor('gmail') ?? '' })])}${builtIn === 'google' ? note('gmail.notOther') : ''}`
      : signIn.passwordsAllowed
        ? steps([s('gmail.s1Other'), s('gmail.s2'), s('gmail.s3', { password: passwordWord })])
        : note('steps.noPassword'),

    other: signIn.passwordsAllowed
      ? steps([s('other.s1'), s('other.s2'), s('other.s3')])
      : note('other.oauthOnly'),
  };

  const chosen = input.client;
  const chooser = html`<nav class="chooser" aria-labelledby="chooser-label"><p id="chooser-label">${tr.t('clients.choose')}</p>
<ul>${CLIENTS.map((id) => html`<li><a href="#steps-${id}"${id === chosen ? html` aria-current="true"` : ''}>${tr.t(SHORT[id])}</a></li>`)}</ul></nav>`;
  return html`<section class="clients no-print" aria-labelledby="clients">
<h2 id="clients">${tr.t('clients.title')}</h2>
${chooser}
<p>${tr.t('clients.values')}</p>
${CLIENTS.map(
  (id) =>
    html`<details class="client" id="client-${id}"${id === chosen ? html` open` : ''}><summary><h3>${tr.t(TITLES[id])}</h3></summary><div class="client-body" id="steps-${id}">${content[id]}</div></details>`,
)}
</section>`;
}

function appleSteps(
  page: SetupView,
  device: 'ios' | 'mac',
  builtInType: string | undefined,
  s: (key: MessageKey, extra?: Record<string, HtmlValue>) => SafeHtml,
  steps: (items: Array<SafeHtml | false | undefined>) => SafeHtml,
  note: (key: MessageKey, extra?: Record<string, HtmlValue>) => SafeHtml,
): SafeHtml {
  const { ctx, input, advice } = page;
  const { tr } = ctx;
  const signIn = advice.signIn;
  const parts: SafeHtml[] = [];
  if (builtInType) {
    parts.push(html`<h4>${tr.t('apple.builtInTitle')}</h4>`);
    parts.push(steps([s(`${device}.sBuiltIn`, { type: builtInType })]));
  }
  if (signIn.passwordsAllowed) {
    if (builtInType) parts.push(html`<h4>${tr.t('apple.profileTitleApp')}</h4>`);
    else parts.push(html`<h4>${tr.t('apple.profileTitle')}</h4>`);
    if (input.profileUrl) {
      parts.push(html`<p>${tr.t('apple.lead')}</p>`, profileBlock(page, input.profileUrl, device));
      const password = signIn.appPassword ? tr.t('word.appPassword') : tr.t('word.password');
      parts.push(device === 'ios' ? steps([s('ios.p1'), s('ios.p2'), s('ios.p3', { password })]) : steps([s('mac.p1'), s('mac.p2'), s('mac.p3', { password })]));
      if (!input.profileSigned) parts.push(note('apple.notVerified'));
    } else {
      parts.push(note('apple.needAddress'));
    }
    parts.push(html`<h4>${tr.t('apple.manualTitle')}</h4>`, steps([s(`${device}.m1`), s(`${device}.m2`)]));
  } else if (!builtInType) {
    parts.push(note('steps.noPassword'));
  }
  return html`${parts}`;
}
