import { html } from '../html.js';
import type { MessageKey } from '../i18n/index.js';
import { addressForm, layout, type PageContext } from './layout.js';

/** `/help/imap-pop3`: the general explainer the setup pages link to. */
export function helpPage(ctx: PageContext): string {
  const { tr } = ctx;
  const list = (keys: MessageKey[]) => html`<ul>${keys.map((k) => html`<li>${tr.t(k)}</li>`)}</ul>`;
  const section = (id: string, title: MessageKey, content: ReturnType<typeof html>) =>
    html`<section class="prose" aria-labelledby="${id}"><h2 id="${id}">${tr.t(title)}</h2>${content}</section>`;
  const body = html`<h1>${tr.t('help.title')}</h1>
<p class="lead">${tr.t('help.lead')}</p>
${section('imap', 'help.imap.title', html`<p>${tr.t('help.imap.p')}</p>${list(['help.imap.l1', 'help.imap.l2', 'help.imap.l3', 'help.imap.l4'])}`)}
${section('pop3', 'help.pop3.title', html`<p>${tr.t('help.pop3.p')}</p>${list(['help.pop3.l1', 'help.pop3.l2', 'help.pop3.l3', 'help.pop3.l4'])}`)}
${section('both', 'help.both.title', html`<p>${tr.t('help.both.p')}</p>`)}
${section('smtp', 'help.smtp.title', html`<p>${tr.t('help.smtp.p')}</p>`)}
${section(
  'tls',
  'help.tls.title',
  html`<p>${tr.t('help.tls.p')}</p>${list(['help.tls.tls', 'help.tls.starttls'])}
<div class="table-scroll"><table class="ports">
<caption>${tr.t('help.ports.caption')}</caption>
<thead><tr><th scope="col">${tr.t('help.ports.protocol')}</th><th scope="col">${tr.t('security.tls')}</th><th scope="col">${tr.t('security.starttls')}</th></tr></thead>
<tbody>
<tr><th scope="row">${tr.t('help.ports.imap')}</th><td>993</td><td>143</td></tr>
<tr><th scope="row">${tr.t('help.ports.pop3')}</th><td>995</td><td>110</td></tr>
<tr><th scope="row">${tr.t('help.ports.smtp')}</th><td>465</td><td>587</td></tr>
</tbody>
</table></div>
<p>${tr.t('help.tls.labels')}</p>`,
)}
${section('user', 'help.user.title', html`<p>${tr.t('help.user.p1')}</p><p>${tr.t('help.user.p2')}</p>`)}
${section('switch', 'help.switch.title', html`<p>${tr.t('help.switch.p')}</p>`)}
${section('size', 'help.size.title', html`<p>${tr.t('help.size.p')}</p>`)}
<section class="panel" aria-labelledby="cta"><h2 id="cta">${tr.t('help.cta')}</h2>${addressForm(ctx)}</section>`;
  return layout(ctx, { title: tr.t('help.title'), body });
}
