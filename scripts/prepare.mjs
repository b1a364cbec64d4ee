// npm's `prepare` hook (run by `npm ci` and `npm install` in a checkout): compile src/ into dist/, so `npm start` and
// bin/mailconfig.js work right after installing and a fresh install never runs stale output. With --omit=dev there
// is no compiler and nothing to do (a production install gets dist/ from a build stage, see the Dockerfile); that is
// said in one line instead of failing the install.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stdout.write('prepare: TypeScript is not installed (npm ci --omit=dev): dist/ not built; run "npm run build" where the dev dependencies are\n');
  process.exit(0);
}
const { status, error } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (error) throw error;
process.exit(status ?? 1);
