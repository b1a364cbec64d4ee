// Layers only point down (see the README's design notes): reads the imports of every .ts file under src/ with
// TypeScript's own pre-processor (static, type-only, re-exports and dynamic import()) and fails on a reach-back.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import ts from 'typescript';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Files by path relative to src/ ('settings/model.ts'), with their text. */
type Tree = Map<string, string>;

function readTree(dir: string): Tree {
  const tree: Tree = new Map();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) tree.set(relative(dir, path).split('\\').join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return tree;
}

/** The src/ files a file imports (relative specifiers only; `./x.js` is the source file `./x.ts`). */
function importsOf(file: string, text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((ref) => ref.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => posix.normalize(posix.join(posix.dirname(file), name)).replace(/\.js$/, '.ts'));
}

/** The folder a file lives in, or the file's own name for the top-level modules (config.ts -> 'config'). */
function layerOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, '');
}

/** Below the routes: none of these may read the service's configuration. */
const BELOW_CONFIG = new Set(['settings', 'formats', 'xml', 'providers', 'discovery', 'check']);
const MAY_IMPORT: Record<string, ReadonlySet<string>> = {
  settings: new Set(),
  formats: new Set(['settings', 'xml']),
  // The domain check speaks English; pages translate its findings (src/web/i18n), it never reaches up to them.
  check: new Set(['settings', 'formats', 'xml', 'providers', 'discovery']),
};

function violations(tree: Tree): string[] {
  const found: string[] = [];
  const edges = new Map<string, string[]>();
  for (const [file, text] of tree) {
    const targets = importsOf(file, text);
    edges.set(file, targets.filter((target) => tree.has(target)));
    for (const target of targets) {
      const from = layerOf(file);
      const to = layerOf(target);
      if (from === to) continue;
      const allowed = MAY_IMPORT[from];
      if (allowed && !allowed.has(to)) found.push(`${from}/ may not import ${to}: ${file} -> ${target}`);
      if (BELOW_CONFIG.has(from) && to === 'config') found.push(`${from}/ may not import config.ts: ${file} -> ${target}`);
    }
  }
  // Import cycles between files: depth-first search, reporting each back edge with the cycle it closes.
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const target of edges.get(file) ?? []) {
      if (state.get(target) === 'open') found.push(`import cycle: ${[...path.slice(path.indexOf(target)), target].join(' -> ')}`);
      else if (!state.has(target)) visit(target);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...edges.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

t.test('src/: layers only point down, no import cycles', async (t) => {
  const tree = readTree(SRC);
  t.ok(tree.size > 50, `read ${tree.size} files under src/`);
  t.ok([...tree.keys()].some((file) => importsOf(file, tree.get(file)!).length > 0), 'imports are found at all');
  t.same(violations(tree), []);
});

t.test('the check catches each kind of reach-back', async (t) => {
  const planted: Tree = new Map([
    ['settings/model.ts', "import type { ProviderIndex } from '../providers/database.js';\nexport type X = 1;"],
    ['providers/database.ts', "import { loadConfig } from '../config.js';\nexport class ProviderIndex {}"],
    ['formats/thunderbird.ts', "import { escapeXml } from '../xml/escape.js';\nimport { settingsFor } from '../settings/model.js';"],
    ['formats/json.ts', "export { routes } from '../http/api.js';"],
    ['discovery/guard.ts', "const lazy = () => import('../config.js');"],
    ['xml/escape.ts', 'export const escapeXml = 1;'],
    ['check/evaluate.ts', "import { checkDe } from '../web/i18n/check-de.js';\nimport { probe } from '../discovery/probe/index.js';"],
    ['http/api.ts', "import { loadConfig } from '../config.js';\nexport const routes = 1;"],
    ['config.ts', "import { a } from './cycle/a.js';\nexport const loadConfig = 1;"],
    ['cycle/a.ts', "import type { B } from './b.js';\nexport type A = B;"],
    ['cycle/b.ts', "import type {\n  A,\n} from './a.js';\nexport type B = A;"],
  ]);
  t.same(violations(planted).sort(), [
    'check/ may not import web: check/evaluate.ts -> web/i18n/check-de.ts',
    'discovery/ may not import config.ts: discovery/guard.ts -> config.ts',
    'formats/ may not import http: formats/json.ts -> http/api.ts',
    'import cycle: cycle/a.ts -> cycle/b.ts -> cycle/a.ts',
    'providers/ may not import config.ts: providers/database.ts -> config.ts',
    'settings/ may not import providers: settings/model.ts -> providers/database.ts',
  ]);
});
