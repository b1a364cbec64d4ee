import { html } from '../html.js';
import type { AddressErrorCode } from '../../settings/address.js';
import { serverLabel, type LookupStep, type StepKind } from '../../settings/steps.js';
import type { MessageKey } from '../i18n/index.js';
import { reasonKey } from '../reasons.js';
import { addressForm, breakableAddress, href, layout, supportContact, type PageContext } from './layout.js';

// Step kinds of the database resolver and of live discovery (src/discovery), in words.
const STEP_KEYS: Record<StepKind, MessageKey> = {
  database: 'step.database',
  cache: 'step.cache',
  autoconfig: 'step.autoconfig',
  'autoconfig-http': 'step.autoconfig',
  'well-known': 'step.wellKnown',
  autodiscover: 'step.autodiscover',
  'mx-autoconfig': 'step.mxAutoconfig',
  mx: 'step.mx',
  srv: 'step.srv',
  host: 'step.host',
  probe: 'step.probe',
  pacc: 'step.pacc',
  caldav: 'step.caldav',
  carddav: 'step.carddav',
  jmap: 'step.jmap',
};

/** Steps of the service's own database; when only these ran, no live discovery was tried. */
const DATABASE_STEPS: ReadonlySet<StepKind> = new Set(['database', 'cache']);

/** A step in words; for a host or a probe, which host (and server) it was. */
function stepName(ctx: PageContext, step: LookupStep): string {
  const name = ctx.tr.t(STEP_KEYS[step.kind]);
  if (step.server) return `${name} (${serverLabel(step.server)})`;
  return step.kind === 'host' ? `${name} (${step.subject})` : name;
}

export interface NotFoundInput {
  domainUnicode: string;
  /** What the visitor typed, to put back into the form. */
  entered?: string;
  steps: readonly LookupStep[];
  /** A database domain close to the one entered ("did you mean gmail.com?"). */
  suggestion?: string | undefined;
  /** The local part of the address entered, to offer the suggestion for the whole address. */
  localPart?: string;
}

/** 404: nothing found; shows what was really tried, a near miss of a known domain, and what the visitor can check. */
export function notFoundPage(ctx: PageContext, input: NotFoundInput): string {
  const { tr } = ctx;
  const title = tr.t('notfound.title', { domain: input.domainUnicode });
  // Only the steps that ran; their details are the resolver's English words, so only host names are kept (stepName).
  const ran = input.steps.filter((s) => s.outcome !== 'skipped');
  const onlyDatabase = ran.every((s) => DATABASE_STEPS.has(s.kind));
  const steps = ran.map((s) => html`<li><strong>${stepName(ctx, s)}</strong>: ${tr.t(`outcome.${s.outcome}`)}</li>`);
  const suggestion = input.suggestion
    ? input.localPart !== undefined
      ? href(ctx, '/setup', { email: `${input.localPart}@${input.suggestion}` })
      : href(ctx, `/setup/${input.suggestion}`)
    : undefined;
  const checks: MessageKey[] = ['notfound.c1', 'notfound.c2', 'notfound.c3', ...(onlyDatabase ? [] : ['notfound.c4' as const])];
  const body = html`<h1>${tr.h('notfound.title', { domain: breakableAddress(input.domainUnicode) })}</h1>
${suggestion && input.suggestion ? html`<p class="suggestion"><strong>${tr.h('notfound.didYouMean', { suggestion: html`<a href="${suggestion}">${input.suggestion}</a>` })}</strong></p>` : ''}
<p class="lead">${tr.t('notfound.lead')}</p>
${steps.length ? html`<section aria-labelledby="tried"><h2 id="tried">${tr.t('notfound.tried')}</h2><ul class="steps">${steps}</ul>${onlyDatabase ? html`<p class="note">${tr.t('notfound.onlyDatabase')}</p>` : ''}</section>` : ''}
<section aria-labelledby="check"><h2 id="check">${tr.t('notfound.check')}</h2>
<ul>${checks.map((k) => html`<li>${tr.t(k)}</li>`)}</ul>
<p><a href="${href(ctx, `/check/${encodeURIComponent(input.domainUnicode)}`)}">${tr.t('check.link')}</a></p>
</section>
${supportContact(ctx)}
<section class="panel" aria-labelledby="again"><h2 id="again">${tr.t('notfound.again')}</h2>${addressForm(ctx, { value: input.entered })}</section>`;
  return layout(ctx, { title, body, noindex: true });
}

/** 400: the reason in the visitor's language and the form again, filled with what they typed. */
export function badRequestPage(ctx: PageContext, input: { code: AddressErrorCode; entered: string; domainForm?: boolean }): string {
  const { tr } = ctx;
  const reason = tr.t(reasonKey(input.code));
  const message = tr.t(input.domainForm ? 'bad.reasonDomain' : 'bad.reason', { reason });
  const body = html`<h1>${tr.t('bad.title')}</h1>
<div class="panel">${addressForm(ctx, { value: input.domainForm ? '' : input.entered, error: message })}</div>
${supportContact(ctx)}`;
  return layout(ctx, { title: tr.t('bad.title'), body, noindex: true });
}

/** 503: the lookup itself failed (discovery broke); never a bare 500. */
export function unavailablePage(ctx: PageContext, input: { domainUnicode: string; entered?: string }): string {
  const { tr } = ctx;
  const body = html`<h1>${tr.t('unavailable.title')}</h1>
<p class="lead">${tr.t('unavailable.lead', { domain: input.domainUnicode })}</p>
<div class="panel">${addressForm(ctx, { value: input.entered })}</div>
${supportContact(ctx)}`;
  return layout(ctx, { title: tr.t('unavailable.title'), body, noindex: true });
}

/** What went wrong with a request that never reached a page of its own (see failurePage). */
export type PageFailure = 'no-page' | 'refused' | 'too-many' | 'internal';

const FAILURE_KEYS: Record<PageFailure, { title: MessageKey; lead: MessageKey }> = {
  'no-page': { title: 'page404.title', lead: 'page404.lead' },
  refused: { title: 'refused.title', lead: 'refused.lead' },
  'too-many': { title: 'toomany.title', lead: 'toomany.lead' },
  internal: { title: 'failure.title', lead: 'failure.lead' },
};

/** 404 for a path that is no page (with the way back), 4xx for a request the pages refuse, 500 for a fault of ours: never JSON or a stack. */
export function failurePage(ctx: PageContext, failure: PageFailure): string {
  const { tr } = ctx;
  const keys = FAILURE_KEYS[failure];
  const body = html`<h1>${tr.t(keys.title)}</h1>
<p class="lead">${tr.t(keys.lead)}</p>
${failure === 'no-page' ? html`<p><a href="${href(ctx, '/')}">${tr.t('page404.home')}</a></p>` : ''}
${supportContact(ctx)}
<div class="panel">${addressForm(ctx, {})}</div>`;
  return layout(ctx, { title: tr.t(keys.title), body, noindex: true });
}
