// npx tsx bench/cpu-profile-summary.ts <file.cpuprofile> [--top N] [--owner] [--last S]
// Self time of a V8 CPU profile (node --cpu-prof, as bench:api --profile writes) by function and
// by where the code lives (a package under node_modules, a file of src/, node's own internals),
// as a share of the sampled time with idle time left out. With --owner, time spent in node's
// internals, the garbage collector and anonymous frames is also charged to the nearest caller
// that lives in a package or in src/ (who made the work: helmet's setHeader calls count as
// helmet). docs/hardening.md (Profiles).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, owner: { type: 'boolean', default: false }, last: { type: 'string' } } });
const profile = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as Profile;
const top = Number(values.top);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
// --last S: only the samples of the profile's last S seconds (one phase, without start-up).
const ends = profile.timeDeltas.reduce<number[]>((acc, d) => (acc.push((acc.at(-1) ?? 0) + d), acc), []);
const from = values.last ? (ends.at(-1) ?? 0) - Number(values.last) * 1e6 : -Infinity;
profile.samples.forEach((id, i) => {
  if (ends[i]! >= from) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

/** Where a frame's code lives: `pkg:<name>`, `src/<file>`, `node:<internal>`, or the V8 pseudo-frame. */
function place(url: string, fn: string): string {
  if (!url) return `(${fn || 'anonymous'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `pkg:${pkg[1]}`;
  const src = /\/((?:src|bench|scripts)\/.+)$/.exec(url);
  if (src) return src[1]!;
  return url.startsWith('node:') ? url : url.replace(/^file:\/\//, '');
}

const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** The nearest frame (this one or a caller) whose code lives in a package or in src/. */
function owner(id: number): string {
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const { url, functionName } = byId.get(at)!.callFrame;
    const where = place(url, functionName);
    if (where.startsWith('pkg:') || where.startsWith('src/')) return where;
  }
  return place(byId.get(id)!.callFrame.url, byId.get(id)!.callFrame.functionName);
}

const byFunction = new Map<string, number>();
const byOwner = new Map<string, number>();
const byPlace = new Map<string, number>();
let total = 0;
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  if (functionName === '(idle)') continue;
  total += us;
  const where = place(url, functionName);
  const fn = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  byPlace.set(where, (byPlace.get(where) ?? 0) + us);
  if (values.owner) byOwner.set(owner(id), (byOwner.get(owner(id)) ?? 0) + us);
}
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title} (self time, ${(total / 1e6).toFixed(2)} s sampled without idle)\n`);
  for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${((us / total) * 100).toFixed(1).padStart(5)}%  ${name}\n`);
};
print('by place', byPlace);
print('by function', byFunction);
if (values.owner) print('by owner (node internals charged to the nearest package or src/ caller)', byOwner);
