// The setup pages in a real browser: Chromium driven by playwright-core. Debian's /usr/bin/chromium when it is
// installed, else the build of the npm package @sparticuz/chromium (a devDependency, so `npm ci` is enough).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/config.js';
import { startTestServer } from '../helpers/server.js';

// The test compiles without DOM types; these are the few browser globals the in-page functions touch.
interface El {
  id: string;
  textContent: string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
}
declare const document: {
  documentElement: { scrollWidth: number };
  activeElement: El | null;
  querySelectorAll(selector: string): { forEach(fn: (el: El) => void): void };
};
declare const window: { innerWidth: number };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare function getComputedStyle(el: El): { outlineStyle: string };

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(PROJECT_ROOT, 'test', 'artifacts');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

const CHROMIUM = existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : await (await import('@sparticuz/chromium')).default.executablePath();

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
mkdirSync(ARTIFACTS, { recursive: true });

const server = await startTestServer();
const browser: Browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
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
  await t.resolveMatch(imap.locator('[data-copy="Port (IMAP)"]').textContent(), '993');
  await t.resolveMatch(imap.locator('.security').textContent(), 'SSL/TLS');
  await t.resolveMatch(page.locator('section[aria-labelledby="card-smtp"] [data-copy="Port (SMTP)"]').textContent(), '465');

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
  await t.resolveMatch(button.textContent(), 'Copied');
  t.equal(await page.evaluate(() => navigator.clipboard.readText()), 'posteo.de');
  await t.resolveMatch(page.locator('#copy-status').textContent(), 'Copied: posteo.de');
  t.ok(await page.getByRole('button', { name: 'Print these settings' }).isVisible(), 'print button shown once JS runs');
});

t.test('without JavaScript the page is complete, just without the buttons', async (t) => {
  const { page } = await open(t, PHONE, { javaScript: false });
  await page.goto(`${server.url}/?lang=en`);
  await page.getByLabel('Your email address').fill('alice@posteo.de');
  await page.getByRole('button', { name: 'Show my settings' }).click();
  await page.waitForURL(/\/setup\?/);
  await t.resolveMatch(page.locator('[data-copy="Server (IMAP)"]').textContent(), 'posteo.de');
  t.equal(await page.locator('button.copy').count(), 0);
  t.notOk(await page.locator('[data-print]').isVisible());
  await page.locator('#apple summary').click();
  t.ok(await page.locator('#profile-download').isVisible(), 'details open without JavaScript');
});

t.test('download the Apple profile: content type and file name', async (t) => {
  const { page } = await open(t, PHONE);
  await page.goto(`${server.url}/setup?email=alice%40posteo.de&lang=en`);
  await page.locator('#apple summary').click();
  const link = page.getByRole('link', { name: 'Download profile' });
  const href = await link.getAttribute('href');
  t.equal(href, '/mobileconfig?emailaddress=alice%40posteo.de');
  const response = await page.request.get(`${server.url}${href}`);
  t.equal(response.status(), 200, 'the profile route answers');
  t.match(response.headers()['content-type'], /^application\/x-apple-aspen-config/);
  t.match(response.headers()['content-disposition'], /attachment; filename="?[^"]+\.mobileconfig"?/);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  t.match(download.suggestedFilename(), /\.mobileconfig$/);
  t.ok(await page.locator('#apple svg.qr').isVisible(), 'QR code for scanning with a phone');
});

for (const [name, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
  t.test(`${name} width (${viewport.width}px): no horizontal scrolling, no serious accessibility findings, screenshots`, async (t) => {
    const { page } = await open(t, viewport);
    const pages: Array<[string, string]> = [
      ['home', '/?lang=en'],
      ['setup-en', '/setup?email=alice%40posteo.de&lang=en'],
      ['setup-de', '/setup?email=alice%40posteo.de&lang=de'],
      ['oauth', '/setup?email=bob%40gmail.com&lang=de'],
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
  t.equal(await pageCount(), 1, 'Posteo, English: one page');
});
