import { html } from '../html.js';
import { addressForm, href, layout, type PageContext } from './layout.js';

/** `/`: what this is, and the one field. */
export function homePage(ctx: PageContext): string {
  const { tr } = ctx;
  const body = html`<h1>${tr.t('home.title')}</h1>
<p class="lead">${tr.t('home.lead')}</p>
<div class="panel">${addressForm(ctx)}</div>
<ul class="points">
<li>${tr.t('home.point1')}</li>
<li>${tr.t('home.point2')}</li>
<li>${tr.t('home.point3')}</li>
</ul>
<p class="note">${tr.t('home.password')}</p>
<p><a href="${href(ctx, '/help/imap-pop3')}">${tr.t('home.helpLink')}</a></p>`;
  return layout(ctx, { title: tr.t('home.title'), body });
}
