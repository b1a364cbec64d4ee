// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by file/package, largest first.
// Usage: npx tsx bench/cpuprofile.ts FILE.cpuprofile [top]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const place = (url: string) => url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'nm:').replace(/.*\/(src|bench)\//, '$1/');

function name(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = place(url);
  return `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`;
}

export function summarise(profile: Profile, top = 40): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  for (const [i, id] of profile.samples.entries()) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of self) {
    const where = place(byId.get(id)!.callFrame.url);
    const key = name(byId.get(id)!);
    fn.set(key, (fn.get(key) ?? 0) + us);
    const pkg = where.startsWith('nm:') ? where.split('/').slice(0, where.startsWith('nm:@') ? 2 : 1).join('/') : where || byId.get(id)!.callFrame.functionName;
    file.set(pkg, (file.get(pkg) ?? 0) + us);
  }
  // Inclusive time: a sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const key = name(byId.get(at)!);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  for (const key of [...inclusive.keys()]) if (!/ (src|nm:)/.test(key)) inclusive.delete(key);
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  return [`total ${(total / 1000).toFixed(0)} ms sampled`, '-- self time by function --', ...rows(fn), '-- self time by file or package --', ...rows(file), '-- inclusive time (project and package functions) --', ...rows(inclusive)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, top] = process.argv.slice(2);
  if (!path) throw new Error('usage: cpuprofile.ts FILE.cpuprofile [top]');
  for (const line of summarise(JSON.parse(readFileSync(path, 'utf8')) as Profile, Number(top ?? 40))) process.stdout.write(`${line}\n`);
}
