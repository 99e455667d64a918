/**
 * `npm run bench:profile -- FILE.cpuprofile [--top N] [--filter SUBSTR] [--after S]`:
 * self time of a V8 CPU profile (`node --cpu-prof`) aggregated by function and by file, largest first,
 * as percentages of the sampled time (idle excluded), so a profile reads without DevTools.
 * `--after S` drops the first S seconds (start-up: module loading, migrations) to read the steady state.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '30' }, filter: { type: 'string' }, after: { type: 'string', default: '0' } },
});
interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
const TOP = Number(opt.top);

for (const file of positionals) {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  // self time per node from the sample deltas (hitCount alone ignores uneven sampling intervals)
  const self = new Map<number, number>();
  const after = Number(opt.after) * 1e6;
  let at = 0;
  prof.samples.forEach((id, i) => {
    at += prof.timeDeltas[i] ?? 0;
    if (at >= after) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  });
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const keyOf = (n: Node) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const short = url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'nm:').replace(/.*\/api\/dist\//, 'dist:');
    return { short, fnKey: `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}` };
  };
  // inclusive time: a function counts once per sample whose stack holds it (our own code only, to read where the time goes)
  const inclusive = new Map<string, number>();
  for (const [id, t] of self) {
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const { short, fnKey } = keyOf(byId.get(x)!);
      if (short.startsWith('dist:') || short.includes('/api/src/')) seen.add(fnKey);
    }
    for (const k of seen) inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const n of prof.nodes) {
    const t = self.get(n.id) ?? 0;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') continue;
    total += t;
    const { short } = keyOf(n);
    if (opt.filter && !short.includes(opt.filter)) continue;
    const { fnKey } = keyOf(n);
    byFn.set(fnKey, (byFn.get(fnKey) ?? 0) + t);
    const fileKey = short.startsWith('nm:') ? short.split('/').slice(0, short.startsWith('nm:@') ? 2 : 1).join('/') : short || functionName;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + t);
  }
  const show = (title: string, m: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP))
      console.log(`${((100 * t) / total).toFixed(1).padStart(6)}%  ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  };
  console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled (idle excluded)`);
  show('self time by function', byFn);
  show('self time by file / package', byFile);
  show("inclusive time of Purser's own functions (self + what they call)", inclusive);
}
