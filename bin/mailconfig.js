#!/usr/bin/env node
// Thin launcher for the compiled CLI in dist/: `npm run build` writes it (and `npm ci` runs the build when the dev
// dependencies are installed, see scripts/prepare.mjs).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('mailconfig: dist/ is not built: run "npm run build" (npm ci does it when the dev dependencies are installed)\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
