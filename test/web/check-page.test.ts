// The check page in a real Chromium: the cards and zone lines render, and the README's screenshot is taken.
import t from 'tap';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/config.js';
import { DomainChecker } from '../../src/check/checker.js';
import { launchChromium } from '../helpers/browser.js';
import { DOMAINS, startCheckWorld } from '../helpers/check-world.js';
import { startTestServer } from '../helpers/server.js';

const world = await startCheckWorld();
const server = await startTestServer({ checker: new DomainChecker(world.store, world.options()) });
const { browser } = await launchChromium();
t.teardown(async () => {
  await browser.close();
  await server.close();
  await world.close();
});

t.test('the check page of a domain with a wrong CNAME', async (t) => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  t.teardown(() => page.close());
  await page.goto(`${server.url}/check/${DOMAINS.cname}?lang=en`);
  t.equal(await page.locator('[data-check="autoconfig"]').getAttribute('data-status'), 'fail');
  t.match(await page.locator('#zone-lines').textContent(), /autoconfig\.cname\.example\.\s+3600 IN CNAME cfg\.service\.example\./);
  await page.screenshot({ path: join(PROJECT_ROOT, 'docs', 'check-page.png'), fullPage: true });
});
