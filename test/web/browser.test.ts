// The setup pages in a real browser driven by playwright-core: Debian's Chromium when installed, otherwise the
// Chromium of the @sparticuz/chromium dev dependency (test/helpers/browser.ts), so it never skips.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { BrowserContext, Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/config.js';
import { launchChromium } from '../helpers/browser.js';
import { startTestServer } from '../helpers/server.js';

// The test compiles without DOM types; these are the few browser globals the in-page functions touch.
interface El {
  id: string;
  textContent: string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  getClientRects(): { length: number };
  getBoundingClientRect(): { height: number };
}
declare const document: {
  documentElement: { scrollWidth: number };
  body: El;
  activeElement: El | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): { forEach(fn: (el: El) => void): void; length: number };
};
declare const window: { innerWidth: number };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare function getComputedStyle(el: El, pseudo?: string): { outlineStyle: string; backgroundColor: string; color: string; whiteSpace: string; lineHeight: string; content: string };

const ARTIFACTS = join(PROJECT_ROOT, 'test', 'artifacts');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
mkdirSync(ARTIFACTS, { recursive: true });

const server = await startTestServer();
const { browser, executable } = await launchChromium();
t.comment(`Chromium ${browser.version()} from ${executable}`);
t.teardown(async () => {
  await browser.close();
  await server.close();
});

/** A fresh context whose pages fail the test on any CSP violation or script error. */
async function open(t: Test, viewport: { width: number; height: number }, options: { javaScript?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, javaScriptEnabled: options.javaScript ?? true, acceptDownloads: true });
  t.teardown(() => context.close());
  const page = await context.newPage();
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) t.fail(`CSP violation: ${message.text()}`);
  });
  page.on('pageerror', (error) => t.fail(`script error: ${error.message}`));
  return { context, page };
}

async function noHorizontalScroll(t: Test, page: Page, what: string): Promise<void> {
  const { scroll, inner } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  t.ok(scroll <= inner, `${what}: no horizontal scrolling (content ${scroll}px, window ${inner}px)`);
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page (evaluated through DevTools, so the page's CSP stays in force) and returns the serious findings. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function openAllClients(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => d.setAttribute('open', '')));
}

t.test('submit the form, see host and port for a bundled provider, switch language', async (t) => {
  const { page } = await open(t, PHONE);
  await page.goto(`${server.url}/?lang=en`);
  await page.getByLabel('Your email address').fill('alice@posteo.de');
  await page.getByRole('button', { name: 'Show my settings' }).click();
  await page.waitForURL(/\/setup\?email=alice%40posteo\.de/);
  const imap = page.locator('section#card-imap, section[aria-labelledby="card-imap"]');
  await t.resolveMatch(imap.locator('[data-copy="Server (IMAP)"]').textContent(), 'posteo.de');
  t.equal(await imap.locator('[data-copy="Server (IMAP)"]').textContent(), 'posteo.de', 'the copied text has no break hints in it');
  await t.resolveMatch(imap.locator('[data-copy="Port (IMAP)"]').textContent(), '993');
  await t.resolveMatch(imap.locator('.security').textContent(), 'SSL/TLS');
  await t.resolveMatch(page.locator('#card-smtp [data-copy="Port (SMTP)"]').textContent(), '465');

  await page.getByRole('link', { name: 'Deutsch' }).click();
  await page.waitForURL(/lang=de/);
  t.equal(await page.locator('html').getAttribute('lang'), 'de');
  await t.resolveMatch(page.locator('h1').textContent(), 'E-Mail-Einstellungen für alice@posteo.de');
  await t.resolveMatch(page.locator('#card-imap').textContent(), /Posteingangsserver \(IMAP\)/);

  // The form on the German page stays German.
  await page.getByLabel('Ihre E-Mail-Adresse').fill('erika@t-online.de');
  await page.getByRole('button', { name: 'Einstellungen anzeigen' }).click();
  await page.waitForURL(/email=erika%40t-online\.de/);
  t.equal(await page.locator('html').getAttribute('lang'), 'de');
  await t.resolveMatch(page.locator('[data-copy="Server (IMAP)"]').textContent(), 'secureimap.t-online.de');
  await t.resolveMatch(page.locator('[data-copy="Port (IMAP)"]').textContent(), '993');
  await t.resolveMatch(page.locator('.notice').textContent(), /E-Mail-Passwort einrichten/);
});

t.test('copy buttons appear with JavaScript and copy the value', async (t) => {
  const { context, page } = await open(t, DESKTOP);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await page.goto(`${server.url}/setup?email=alice%40posteo.de&lang=en`);
  const button = page.getByRole('button', { name: 'Copy: Server (IMAP)' });
  await button.click();
  // The label changes once the clipboard write resolves (and back after 2 s): wait for it, do not read it at once.
  await button.filter({ hasText: 'Copied' }).waitFor({ timeout: 10_000 });
  await t.resolveMatch(button.textContent(), 'Copied');
  t.equal(await page.evaluate(() => navigator.clipboard.readText()), 'posteo.de');
  await t.resolveMatch(page.locator('#copy-status').textContent(), 'Copied: posteo.de');
  t.ok(await page.locator('.print-top').isVisible(), 'print button shown at the top on a wide screen once JS runs');
  t.notOk(await page.locator('.print-end').isVisible(), 'and not again at the end');
});

t.test('without JavaScript the page is complete, just without the buttons', async (t) => {
  const { page } = await open(t, PHONE, { javaScript: false });
  await page.goto(`${server.url}/?lang=en`);
  await page.getByLabel('Your email address').fill('alice@posteo.de');
  await page.getByRole('button', { name: 'Show my settings' }).click();
  await page.waitForURL(/\/setup\?/);
  await t.resolveMatch(page.locator('[data-copy="Server (IMAP)"]').textContent(), 'posteo.de');
  t.equal(await page.locator('button.copy').count(), 0);
  t.equal(await page.locator('[data-print]:visible').count(), 0, 'no print button without JavaScript');
  await page.locator('#client-ios summary').click();
  t.ok(await page.locator('#profile-download').isVisible(), 'details open without JavaScript');
});

t.test('download the Apple profile: content type and file name', async (t) => {
  const { page } = await open(t, PHONE);
  await page.goto(`${server.url}/setup?email=alice%40posteo.de&lang=en`);
  await page.locator('#client-ios summary').click();
  const link = page.getByRole('link', { name: 'Download profile' });
  const href = await link.getAttribute('href');
  t.equal(href, '/mobileconfig?emailaddress=alice%40posteo.de&lang=en');
  const response = await page.request.get(`${server.url}${href}`);
  t.equal(response.status(), 200, 'the profile route answers');
  t.match(response.headers()['content-type'], /^application\/x-apple-aspen-config/);
  t.match(response.headers()['content-disposition'], /attachment; filename="?[^"]+\.mobileconfig"?/);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  t.match(download.suggestedFilename(), /\.mobileconfig$/);
  t.ok(await page.locator('#client-ios svg.qr').isVisible(), 'QR code for scanning with a phone');
});

for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
  t.test(`${name} width (${viewport.width}px): no horizontal scrolling, no serious accessibility findings, screenshots`, async (t) => {
    const { page } = await open(t, viewport);
    const pages: Array<[string, string]> = [
      ['home', '/?lang=en'],
      ['setup-en', '/setup?email=alice%40posteo.de&lang=en'],
      ['setup-de', '/setup?email=alice%40posteo.de&lang=de'],
      ['oauth', '/setup?email=bob%40gmail.com&lang=de'],
      ['oauth-only', '/setup?email=kim%40outlook.com&lang=en'],
      ['pop-only', '/setup?email=raj%40rediffmail.com&lang=de'],
      ['plaintext', '/setup?email=jan%40tiscali.cz&lang=en'],
      ['page404', '/no/such/page?lang=de'],
      ['domain', '/setup/t-online.de?lang=en'],
      ['help', '/help/imap-pop3?lang=de'],
      ['notfound', '/setup?email=x%40unknown-domain.example&lang=en'],
      ['invalid', '/setup?email=not-an-address&lang=de'],
    ];
    for (const [what, path] of pages) {
      await page.goto(`${server.url}${path}`);
      await openAllClients(page);
      await noHorizontalScroll(t, page, what);
      t.same(await seriousViolations(page), [], `${what}: axe finds no serious or critical violations`);
      if (what === 'setup-en' || what === 'setup-de') {
        await page.evaluate(() => document.querySelectorAll('details').forEach((d) => d.removeAttribute('open')));
        await page.screenshot({ path: join(ARTIFACTS, `${what}-${name}.png`), fullPage: true });
      }
    }
  });
}

t.test('the accessibility check finds real problems (so its silence above means something)', async (t) => {
  const { page } = await open(t, PHONE);
  await page.setContent('<!doctype html><html><head><title>x</title></head><body><main><input type="text"><img src="data:,"></main></body></html>');
  const found = await seriousViolations(page);
  t.ok(found.some((v) => v.startsWith('label ')), 'an unlabelled field is reported');
  t.ok(found.some((v) => v.startsWith('image-alt ')), 'an image without alt is reported');
});

t.test('keyboard: skip link first, then the form; focus is visible', async (t) => {
  const { page } = await open(t, DESKTOP);
  await page.goto(`${server.url}/?lang=en`);
  await page.keyboard.press('Tab');
  t.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement as El).outlineStyle);
  t.equal(outline, 'solid', 'focus ring on the focused link');
  let reached = false;
  for (let i = 0; i < 8 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'email');
  }
  t.ok(reached, 'the address field is reachable by keyboard');
  await page.keyboard.type('alice@posteo.de');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/setup\?/);
  t.equal(await page.locator('h1').textContent(), 'Email settings for alice@posteo.de');
});

t.test('print: the settings fit on one page', async (t) => {
  const { page } = await open(t, DESKTOP);
  const pageCount = async () => {
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    return (pdf.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
  };
  await page.goto(`${server.url}/setup?email=bob%40gmail.com&lang=de`);
  await page.emulateMedia({ media: 'screen' });
  t.ok((await pageCount()) > 1, 'the screen layout would take several pages (so the count below means something)');
  await page.emulateMedia({ media: 'print' });
  t.notOk(await page.locator('.clients').isVisible(), 'client steps are not printed');
  t.ok(await page.locator('#card-imap').isVisible());
  t.ok(await page.locator('.notice').isVisible(), 'the provider notes are printed with the settings');
  t.equal(await pageCount(), 1, 'a provider with notes (Gmail, German) prints on one page');
  await page.goto(`${server.url}/setup?email=alice%40posteo.de&lang=en`);
  await page.emulateMedia({ media: 'print' });
  t.equal(await pageCount(), 1, 'Posteo, English: one page');
  t.ok(await page.locator('.warnings li.keep-print').isVisible(), 'the never-mix warning is printed');
  t.match(await page.locator('.printed-at').textContent(), /^As of \d{1,2} \w+ 20\d\d · http:\/\/127\.0\.0\.1:\d+\/setup\?email=alice%40posteo\.de&lang=en$/, 'date and page URL');
  const wrapping = await page.evaluate(() => {
    const wraps: string[] = [];
    document.querySelectorAll('.fields .value').forEach((el) => {
      const style = getComputedStyle(el);
      const line = parseFloat(style.lineHeight) || 16;
      if (el.getBoundingClientRect().height > line * 1.5) wraps.push(el.textContent ?? '');
    });
    return wraps;
  });
  t.same(wrapping, [], 'no value wraps in print');
  await page.goto(`${server.url}/setup?email=erika%40t-online.de&lang=de`);
  await page.emulateMedia({ media: 'print' });
  const after = await page.evaluate(() => getComputedStyle(document.querySelector('.notice a.external') as El, '::after').content);
  t.match(after, /<https:\/\/www\.telekom\.de\//, 'links in the printed notes carry their target');
  t.equal(await pageCount(), 1, 'T-Online, German: one page');
});

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
async function box(page: Page, selector: string): Promise<Box> {
  const found = await page.locator(selector).first().boundingBox();
  if (!found) throw new Error(`${selector} is not visible`);
  return found;
}

for (const lang of ['en', 'de'] as const) {
  t.test(`phone first screen (${lang}): IMAP host, port, encryption and user name above the fold`, async (t) => {
    const { page } = await open(t, PHONE);
    await page.goto(`${server.url}/setup?email=alice%40posteo.de&lang=${lang}`);
    const imap = '#card-imap';
    for (const [what, selector] of [
      ['host', `${imap} [data-copy^="Server"]`],
      ['port', `${imap} [data-copy^="Port"]`],
      ['encryption', `${imap} .security`],
      ['user name', `${imap} .fields > div:nth-child(4) code.value`],
    ] as const) {
      const b = await box(page, selector);
      t.ok(b.y + b.height <= PHONE.height, `${what} ends at ${Math.round(b.y + b.height)}px, inside the first ${PHONE.height}px`);
    }
    const brand = await box(page, '.brand');
    const langs = await box(page, '.langs');
    t.ok(Math.abs(brand.y + brand.height / 2 - (langs.y + langs.height / 2)) < 8, 'brand and language switch on one row');
    const lead = await box(page, '.lead');
    const lineHeight = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.lead') as El).lineHeight));
    t.ok(lead.height <= lineHeight * 1.5, `the lead is one line (${lead.height}px, line ${lineHeight}px)`);
    const summary = await box(page, '.summary');
    t.ok(summary.height <= lineHeight * 2.6, `the summary takes at most two lines (${summary.height}px)`);
    const user = await box(page, `${imap} .fields > div:nth-child(4)`);
    const why = await box(page, `${imap} .why`);
    t.ok(why.y >= user.y + user.height, 'the "why" text is below the fields');
    t.notOk(await page.locator('.print-top').isVisible(), 'no print button at the top on a phone');
    const print = await box(page, '.print-end');
    const form = await box(page, '#other-address');
    t.ok(print.y > form.y, 'the print button is at the end');
    t.notOk(await page.locator('#card-pop3').isVisible(), 'POP3 collapsed');
    await page.screenshot({ path: join(ARTIFACTS, `first-screen-${lang}-phone.png`) });
    await page.locator('.more-pop3 > summary').click();
    t.ok(await page.locator('#card-pop3').isVisible(), 'and opens on request');
  });
}

t.test('line breaks: addresses at "." and "@", host names never at a hyphen', async (t) => {
  const { page } = await open(t, { width: 320, height: 700 });
  await page.goto(`${server.url}/setup?email=${encodeURIComponent('maximilian.mustermann-schulze@outlook.com')}&lang=de`);
  await noHorizontalScroll(t, page, 'long address at 320px');
  const title = await page.locator('h1').evaluate((h) => (h as unknown as { innerHTML: string }).innerHTML);
  t.match(title, /maximilian\.<wbr>mustermann-schulze<wbr>@outlook\.<wbr>com/, 'break hints after the dots and before the @');
  const hyphenated = await page.evaluate(() => {
    const broken: string[] = [];
    let count = 0;
    document.querySelectorAll('.nb').forEach((el) => {
      count++;
      const line = parseFloat(getComputedStyle(el).lineHeight) || 16;
      if (el.getBoundingClientRect().height > line * 1.5) broken.push(el.textContent ?? '');
    });
    return { count, broken };
  });
  t.ok(hyphenated.count > 0, `host labels with a hyphen are kept whole (${hyphenated.count})`);
  t.same(hyphenated.broken, [], 'none of them broken across lines');
});

t.test('OAuth-only provider in the browser: no password row, no profile, accessible', async (t) => {
  const { page } = await open(t, PHONE);
  await page.goto(`${server.url}/setup?email=kim%40outlook.com&lang=en`);
  t.equal(await page.locator('dt', { hasText: /^Password$/ }).count(), 0);
  t.equal(await page.locator('#profile-download').count(), 0);
  t.equal(await page.locator('svg.qr').count(), 0);
  await page.locator('#client-ios summary').click();
  t.match(await page.locator('#client-ios').textContent(), /choose “Outlook\.com”/);
  t.same(await seriousViolations(page), []);
  await page.screenshot({ path: join(ARTIFACTS, 'oauth-only-en-phone.png'), fullPage: true });
});

t.test('POP-only provider in the browser: POP3 in the steps', async (t) => {
  const { page } = await open(t, DESKTOP);
  await page.goto(`${server.url}/setup?email=raj%40rediffmail.com&lang=en`);
  await page.locator('.chooser').getByRole('link', { name: 'Thunderbird', exact: true }).click();
  t.ok(await page.locator('#client-thunderbird').getAttribute('open') !== null, 'the chooser opens the section');
  t.match(await page.locator('#client-thunderbird').textContent(), /Choose “POP3”/);
  t.equal(await page.locator('.chooser a[aria-current="true"]').textContent(), 'Thunderbird');
});

t.test('program chooser preselected from the User-Agent', async (t) => {
  const context = await browser.newContext({
    viewport: PHONE,
    userAgent: 'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0 Mobile Safari/537.36',
  });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${server.url}/setup?email=alice%40posteo.de&lang=de`);
  t.ok(await page.locator('#steps-samsung').isVisible(), 'Samsung E-Mail open');
  t.notOk(await page.locator('#steps-ios').isVisible(), 'the others closed');
});

t.test('a light brand colour passes axe on every page; dark mode too', async (t) => {
  const branded = await startTestServer({
    env: {
      MAILCONFIG_BRAND_NAME: 'Gelb Hosting',
      MAILCONFIG_BRAND_COLOR: '#ffd400',
      MAILCONFIG_BRAND_IMPRINT_URL: 'https://gelb.example/impressum',
      MAILCONFIG_BRAND_PRIVACY_URL: 'https://gelb.example/datenschutz',
      MAILCONFIG_BRAND_SUPPORT_EMAIL: 'hilfe@gelb.example',
    },
  });
  t.teardown(() => branded.close());
  for (const scheme of ['light', 'dark'] as const) {
    const { page } = await open(t, PHONE);
    await page.emulateMedia({ colorScheme: scheme });
    for (const path of ['/?lang=de', '/setup?email=erika%40t-online.de&lang=de', '/setup?email=bob%40gmial.com&lang=de', '/nothing?lang=de', '/setup?email=jan%40tiscali.cz&lang=en']) {
      await page.goto(`${branded.url}${path}`);
      await openAllClients(page);
      t.same(await seriousViolations(page), [], `${scheme}, ${path}: no serious findings`);
    }
    if (scheme === 'dark') {
      await page.goto(`${branded.url}/setup?email=alice%40posteo.de&lang=de`);
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      t.equal(bg, 'rgb(20, 23, 27)', 'dark background');
      await page.screenshot({ path: join(ARTIFACTS, 'setup-de-phone-dark.png'), fullPage: true });
    }
  }
});

t.test('HTML 404 in the visitor language', async (t) => {
  const context = await browser.newContext({ viewport: PHONE, locale: 'de-DE' });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const response = await page.goto(`${server.url}/setup/a/b/c`);
  t.equal(response?.status(), 404);
  t.equal(await page.locator('html').getAttribute('lang'), 'de');
  t.equal(await page.locator('h1').textContent(), 'Seite nicht gefunden');
  t.ok(await page.getByLabel('Ihre E-Mail-Adresse').isVisible(), 'and the form to go on');
  t.same(await seriousViolations(page), []);
});
