/**
 * Summarises a V8 .cpuprofile (from `CPU_PROF_DIR=... npm run bench:serving -- http`): self time by
 * function and by where the code lives (a src/ file, a package, node internals, GC, idle).
 *
 *   npx tsx bench/serving/http-profile.ts <file.cpuprofile> [top=30] [usPerRequest] [base.cpuprofile baseUsPerRequest]
 *
 * With usPerRequest (the server CPU µs per request bench:serving -- http measured for that server), each
 * line also shows its share of it in µs per request; the process's start (module loading and
 * compiling, a fixed cost that the share would spread over the requests) is left out of the
 * shares. With a base profile and its µs per request (the bare server's), a table of places
 * sorted by the difference in µs per request follows: where the service's extra cost goes.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

const [file, topArg, usArg, baseFile, baseUsArg] = process.argv.slice(2);
if (!file) throw new Error('usage: tsx bench/serving/http-profile.ts <file.cpuprofile> [top] [usPerRequest] [base.cpuprofile baseUsPerRequest]');
const top = Number(topArg ?? 30);

function place(url: string, name: string): string {
  if (name === '(idle)' || name === '(garbage collector)' || name === '(program)') return name;
  if (!url) return '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/(dist|src|bench)\/(.*)$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url.startsWith('node:') ? url : url.replace(/^file:\/\//, '');
}

/** Module loading and compiling (the process's start, not its requests): samples under these. */
const STARTUP = /^node:internal\/(modules|deps\/cjs-module-lexer|bootstrap)/;

interface Summary { busy: number; fns: Map<string, number>; places: Map<string, number>; total: number; startup: number }

function summarise(path: string): Summary {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const underStartup = (id: number): boolean => {
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) if (STARTUP.test(byId.get(x)!.callFrame.url)) return true;
    return false;
  };
  const selfUs = new Map<number, number>();
  prof.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const s: Summary = { busy: 0, fns: new Map(), places: new Map(), total: 0, startup: 0 };
  for (const [id, us] of selfUs) {
    const { callFrame: f } = byId.get(id)!;
    const where = place(f.url, f.functionName);
    s.total += us;
    if (where === '(idle)') continue;
    const fn = `${f.functionName || '(anonymous)'} ${where}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    if (underStartup(id)) {
      s.startup += us;
      continue;
    }
    s.busy += us;
    s.fns.set(fn, (s.fns.get(fn) ?? 0) + us);
    s.places.set(where, (s.places.get(where) ?? 0) + us);
  }
  return s;
}

const main = summarise(file);
const usPerRequest = usArg ? Number(usArg) : undefined;
const show = (s: Summary, m: Map<string, number>, n: number, perRequest?: number): void => {
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    const share = us / s.busy;
    console.log(`  ${(us / 1000).toFixed(0).padStart(7)} ms  ${(100 * share).toFixed(1).padStart(5)}%${perRequest ? `  ${(share * perRequest).toFixed(2).padStart(6)} µs/req` : ''}  ${k}`);
  }
};
console.log(`${file}: ${(main.total / 1e6).toFixed(1)} s sampled, ${((main.busy + main.startup) / 1e6).toFixed(1)} s not idle, of which ${(main.startup / 1e6).toFixed(2)} s `
  + 'loading and compiling modules (left out: the percentages are of the rest)');
console.log('\nSelf time by place:');
show(main, main.places, 25, usPerRequest);
console.log(`\nSelf time by function (top ${top}):`);
show(main, main.fns, top, usPerRequest);

if (baseFile && usPerRequest) {
  const base = summarise(baseFile);
  const baseUs = Number(baseUsArg);
  const perReq = (s: Summary, us: number, k: string): number => ((s.places.get(k) ?? 0) / s.busy) * us;
  const keys = new Set([...main.places.keys(), ...base.places.keys()]);
  const rows = [...keys].map((k) => [k, perReq(main, usPerRequest, k), perReq(base, baseUs, k)] as const).sort((a, b) => (b[1] - b[2]) - (a[1] - a[2]));
  console.log(`\nBy place, µs per request: this profile (${usPerRequest} µs/req) against ${baseFile} (${baseUs} µs/req), largest difference first:`);
  for (const [k, a, b] of rows.slice(0, 25)) console.log(`  ${(a - b).toFixed(2).padStart(7)}  (${a.toFixed(2)} against ${b.toFixed(2)})  ${k}`);
}
