// What every part of the setup page shares: the input, the view derived from it, and the profile block.
import type { EmailAddress } from '../../settings/address.js';
import type { MailConfig, Security, ServerSettings } from '../../settings/model.js';
import type { ClientId } from '../clients.js';
import { html, type SafeHtml } from '../html.js';
import type { MessageKey } from '../i18n/index.js';
import { providerAdvice, type ProviderAdvice } from '../provider-notes/advice.js';
import { qrSvg } from '../qr.js';
import { settingsCards, type SettingsCard } from '../view.js';
import type { PageContext } from './layout.js';

export interface SetupInput {
  /** The settings, already personalized when an address is given. */
  config: MailConfig;
  /** ASCII domain the settings are for, and its Unicode form for display. */
  domain: string;
  domainUnicode: string;
  address?: EmailAddress;
  /** Absolute URL of the Apple profile for this address (also encoded in the QR code). */
  profileUrl?: string;
  /** The QR code for the profile URL; drawn from `profileUrl` when absent. */
  qr?: SafeHtml;
  /** Whether the service signs Apple profiles (else iOS shows "Not Verified"). */
  profileSigned?: boolean;
  /** The program whose steps open first (from the User-Agent). */
  client?: ClientId | undefined;
  /** The domain is one of the hoster's own (MAILCONFIG_BRAND_DOMAINS). */
  brandDomain?: boolean;
}

/** Everything the parts of the setup page share. */
export interface SetupView {
  ctx: PageContext;
  input: SetupInput;
  cards: SettingsCard[];
  advice: ProviderAdvice;
  provider: string;
  shownAddress?: string | undefined;
  /** The incoming protocol the steps talk about (POP3 for POP-only providers). */
  incoming?: ServerSettings | undefined;
  outgoing?: ServerSettings | undefined;
  popOnly: boolean;
  plaintextOnly: boolean;
}

export const SECURITY_KEYS: Record<Security, MessageKey> = { tls: 'security.tls', starttls: 'security.starttls', none: 'security.none' };
export const SECURITY_HINTS: Record<Security, MessageKey> = {
  tls: 'security.tls.hint',
  starttls: 'security.starttls.hint',
  none: 'security.none.hint',
};

export function setupView(ctx: PageContext, input: SetupInput): SetupView {
  const cards = settingsCards(input.config);
  const advice = providerAdvice(input.config, ctx.tr.lang, input.domainUnicode);
  const incoming = cards.find((c) => c.protocol !== 'smtp')?.server;
  const outgoing = cards.find((c) => c.protocol === 'smtp')?.server;
  const shown = cards.map((c) => c.server);
  return {
    ctx,
    input,
    cards,
    advice,
    provider: advice.name,
    shownAddress: input.address ? `${input.address.localPart}@${input.address.domainUnicode}` : undefined,
    incoming,
    outgoing,
    popOnly: incoming?.protocol === 'pop3',
    plaintextOnly: shown.length > 0 && shown.every((s) => s.security === 'none'),
  };
}

/** The profile download; on the iPhone/iPad steps with the QR code that opens it there from a computer. */
export function profileBlock({ ctx, input, shownAddress }: SetupView, profileUrl: string, device: 'ios' | 'mac'): SafeHtml {
  const { tr } = ctx;
  const url = new URL(profileUrl);
  return html`<div class="profile">
<p><a class="button" href="${url.pathname + url.search}" id="${device === 'ios' ? 'profile-download' : 'profile-download-mac'}">${tr.t('apple.download')}</a></p>
${device === 'ios' ? html`<figure class="qr-block">
${input.qr ?? qrSvg(url.href, tr.t('apple.qrLabel', { address: shownAddress ?? '' }))}
<figcaption>${tr.t('apple.qr')}</figcaption>
</figure>` : ''}
</div>`;
}
