// The domain check as a page: one card per check (status, why, fix) and the zone lines to paste.
// The check's sentences are findings from src/check/evaluate.ts (message key + names and values), rendered in the
// visitor's language like the page around them (src/web/i18n/check.ts).
import type { CheckId, CheckReport, CheckStatus } from '../../check/types.js';
import { html } from '../html.js';
import { checkSentence } from '../i18n/check.js';
import type { MessageKey } from '../i18n/index.js';
import { href, layout, type PageContext } from './layout.js';

const CHECK_KEYS: Record<CheckId, MessageKey> = {
  mx: 'check.id.mx',
  autoconfig: 'check.id.autoconfig',
  autodiscover: 'check.id.autodiscover',
  srv: 'check.id.srv',
  pacc: 'check.id.pacc',
  caldav: 'check.id.caldav',
  carddav: 'check.id.carddav',
  servers: 'check.id.servers',
};

const STATUS_KEYS: Record<CheckStatus, MessageKey> = { ok: 'check.status.ok', warn: 'check.status.warn', fail: 'check.status.fail', info: 'check.status.info' };
const STATUS_MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', info: 'i' };

export function checkPage(ctx: PageContext, input: { report: CheckReport; domainUnicode: string }): string {
  const { tr } = ctx;
  const { report } = input;
  const title = tr.t('check.title', { domain: input.domainUnicode });
  const count = (status: CheckStatus) => report.checks.filter((c) => c.status === status).length;
  const summary = count('fail') > 0 ? tr.t('check.summary.fail', { n: count('fail') }) : count('warn') > 0 ? tr.t('check.summary.warn', { n: count('warn') }) : tr.t('check.summary.ok');
  const cards = report.checks.map(
    (c) => html`<article class="card check check-${c.status}" data-check="${c.id}" data-status="${c.status}">
<h3><span aria-hidden="true">${STATUS_MARK[c.status]}</span> ${tr.t(CHECK_KEYS[c.id])}: <strong>${tr.t(STATUS_KEYS[c.status])}</strong></h3>
<p>${checkSentence(tr.lang, c.why)}</p>
${c.todo ? html`<p><strong>${tr.t('check.fix')}</strong> <code>${checkSentence(tr.lang, c.todo)}</code></p>` : ''}
</article>`,
  );
  const body = html`<h1>${title}</h1>
<p class="lead">${tr.t('check.lead')}</p>
<p role="status"><strong>${summary}</strong></p>
<section aria-labelledby="checks"><h2 id="checks">${tr.t('check.checks')}</h2>
<div class="card-grid">${cards}</div>
</section>
<section class="panel" aria-labelledby="records"><h2 id="records">${tr.t('check.records')}</h2>
<p>${tr.t('check.recordsLead')}</p>
<pre><code id="zone-lines" data-copy="${tr.t('check.records')}">${report.records}</code></pre>
</section>
<p><a href="${href(ctx, `/setup/${report.domain}`)}">${tr.t('check.setupLink', { domain: input.domainUnicode })}</a></p>`;
  return layout(ctx, { title, body });
}
