// A headless Chromium for tests, driven by playwright-core: Debian's /usr/bin/chromium when it is installed,
// otherwise the one the @sparticuz/chromium dev dependency ships inside the package (so `npm ci` is enough).
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Chromium from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** No network of its own (updates, sync, QUIC), no sandbox (containers), no GPU. */
export const HEADLESS_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface LaunchedChromium {
  browser: Browser;
  /** Which binary runs, for the test log. */
  executable: string;
}

export async function launchChromium(): Promise<LaunchedChromium> {
  const executable = existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : await packagedChromium();
  const browser = await chromium.launch({ executablePath: executable, args: HEADLESS_ARGS });
  return { browser, executable };
}

// The package exports no ./package.json; its entry point is build/cjs/index.cjs.
const PACKAGE_JSON = join(dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..', '..', 'package.json');
const PACKAGE_VERSION = (JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { version: string }).version;
/** Stale when older than this: a test process killed while unpacking left it behind. */
const LOCK_STALE_MS = 120_000;

/**
 * The packaged Chromium, unpacked once into the temp directory (where @sparticuz/chromium always puts it). It writes
 * the binary in place, so parallel test processes take turns through a lock directory, and a marker written after
 * a complete unpacking tells a finished binary from one a killed process left half-written (or another version).
 */
async function packagedChromium(): Promise<string> {
  const binary = join(tmpdir(), 'chromium');
  const marker = join(tmpdir(), 'chromium.mailconfig-unpacked');
  const lock = join(tmpdir(), 'chromium.mailconfig-lock');
  await acquire(lock);
  try {
    const unpacked = await readFile(marker, 'utf8').catch(() => '');
    if (unpacked !== PACKAGE_VERSION) await rm(binary, { force: true });
    // WebGL is not needed (the tests run with --disable-gpu): skip unpacking SwiftShader.
    Chromium.setGraphicsMode = false;
    const path = await Chromium.executablePath();
    await writeFile(marker, PACKAGE_VERSION);
    return path;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function acquire(lock: string): Promise<void> {
  for (;;) {
    try {
      await mkdir(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > LOCK_STALE_MS) await rm(lock, { recursive: true, force: true });
    // Another process is unpacking (a few seconds); this is a wait for a lock, not a test waiting for an event.
    else await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
