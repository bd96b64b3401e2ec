/**
 * CPU per /select, per /reward and per GET /experiments/:id through the whole app (app.inject, embedded store, API keys on,
 * so every request check runs), this tree's src/ against BEFORE's (a commit whose src/ is copied
 * under tmp/ and loaded in the same process), in alternated rounds: the cost of a change to the
 * request pipeline (issue 26: the hand-written hook runner against one Fastify hook per check).
 *
 *   npm run bench:serving -- request-hooks                 BEFORE=HEAD~1 by default (none: this tree alone)
 *   BEFORE=<commit> BLOCKS=2000 BLOCK=50 npm run bench:serving -- request-hooks
 *
 * Settings: BLOCKS blocks of BLOCK requests of each kind per side (a tenth as many before, to warm up).
 * Inject skips the HTTP parser and sockets, so the difference is the pipeline's own. Printed: each
 * side's median CPU µs per request over the blocks, and the median of the blocks' paired differences
 * (this - BEFORE) with its standard error: a loaded machine spreads single blocks by tens of µs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const BLOCK = Number(process.env.BLOCK ?? 50);
const BLOCKS = Number(process.env.BLOCKS ?? 2_000);
const WARM_BLOCKS = BLOCKS / 10;
const BEFORE = process.env.BEFORE ?? 'HEAD~1';
const KEY = 'bench-decide-key-0123456789abcdef';
const ADMIN = KEY.replace('decide', 'admin0');
const JSON_HEADERS = { 'content-type': 'application/json' };

interface App { inject(o: object): Promise<{ statusCode: number; body: string }>; close(): Promise<void> }
interface Side { name: string; app: App }
/** /select, /reward, and GET /experiments/b (admin key): a read that runs every check with little work of its own. */
const KINDS = ['select', 'reward', 'read'] as const;
type Kind = (typeof KINDS)[number];

/** The app of one src/ directory, with one experiment, API keys required. */
async function load(name: string, src: string): Promise<Side> {
  const mod = async (path: string) => import(pathToFileURL(resolve(src, path)).href);
  const [{ buildApp }, { MemoryStore }] = await Promise.all([mod('app.ts'), mod('store/memory-store.ts')]);
  const app: App = await buildApp({ store: new MemoryStore(), secret: 'bench-secret-0123456789', auth: { apiKeys: `decide:${KEY},admin:${ADMIN}`, mode: 'keys' } });
  const made = await app.inject({ method: 'POST', url: '/experiments', headers: { ...JSON_HEADERS, 'x-api-key': ADMIN }, payload: JSON.stringify({ id: 'b', arms: [{ id: 'a' }, { id: 'c' }], rewardModel: 'bernoulli' }) });
  if (made.statusCode !== 201) throw new Error(`${name}: POST /experiments answered ${made.statusCode} ${made.body}`);
  return { name, app };
}

/** Timed CPU µs of `count` requests of one kind on one side, each checked for its status; `make` gives request i's url and body. */
async function timed(side: Side, count: number, url: string, make: ((i: number) => string) | null, seen: (body: string, i: number) => void): Promise<number> {
  const headers = make ? { ...JSON_HEADERS, 'x-api-key': KEY } : { 'x-api-key': ADMIN };
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const res = await side.app.inject(make ? { method: 'POST', url, headers, payload: make(i) } : { method: 'GET', url, headers });
    if (res.statusCode !== 200) throw new Error(`${side.name}: ${url} answered ${res.statusCode} ${res.body}`);
    seen(res.body, i);
  }
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

/**
 * BLOCKS blocks of BLOCK selects, BLOCK rewards and BLOCK reads per side, the sides alternating
 * within each kind (their order flipped every block), so that the machine's drift weighs on both
 * alike: the CPU µs per request of every block, per side and kind.
 */
async function blocks(count: number): Promise<Record<Kind, number[]>[]> {
  const out = sides.map(() => ({ select: [] as number[], reward: [] as number[], read: [] as number[] }));
  for (let b = 0; b < count; b++) {
    const order = b % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
    const ids = sides.map(() => new Array<string>(BLOCK));
    for (const i of order) out[i].select.push(await timed(sides[i], BLOCK, '/select', (k) => `{"experimentId":"b","userId":"u${b}-${k}"}`, (body, k) => { ids[i][k] = JSON.parse(body).decisionId; }) / BLOCK);
    for (const i of order) out[i].reward.push(await timed(sides[i], BLOCK, '/reward', (k) => `{"decisionId":"${ids[i][k]}","reward":${k & 1}}`, () => {}) / BLOCK);
    for (const i of order) out[i].read.push(await timed(sides[i], BLOCK, '/experiments/b', null, () => {}) / BLOCK);
  }
  return out;
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)];
/** The standard error of a median, from the interquartile range (1.2533 sigma / sqrt n, sigma = IQR / 1.349). */
const medianError = (xs: number[]): number => { const s = sorted(xs); return (1.2533 * (s[Math.floor(s.length * 0.75)] - s[Math.floor(s.length * 0.25)])) / 1.349 / Math.sqrt(s.length); };
const round2 = (x: number): number => +x.toFixed(2);

const root = resolve(new URL('../..', import.meta.url).pathname);
const sides: Side[] = [await load('this tree', resolve(root, 'src'))];
const copy = resolve(root, 'tmp', `request-hooks-${process.pid}`);
if (BEFORE !== 'none') {
  const commit = execFileSync('git', ['rev-parse', '--short', BEFORE], { cwd: root, encoding: 'utf8' }).trim();
  mkdirSync(copy, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} src | tar -x -C '${copy}'`], { cwd: root });
  sides.push(await load(`src@${commit}`, resolve(copy, 'src')));
}
try {
  await blocks(Math.max(1, Math.round(WARM_BLOCKS))); // warm-up
  const cpu = await blocks(BLOCKS);
  const out: Record<string, unknown> = { block: BLOCK, blocks: BLOCKS, cpuMicrosPerRequest: Object.fromEntries(sides.map((s, i) => [s.name, Object.fromEntries(KINDS.map((k) => [k, round2(median(cpu[i][k]))]))])) };
  if (sides.length === 2) {
    // Each block's paired difference (this tree - BEFORE): its median, with that median's standard error.
    out.pairedDifference = Object.fromEntries(KINDS.map((k) => {
      const d = cpu[0][k].map((x, b) => x - cpu[1][k][b]);
      return [k, { median: round2(median(d)), standardError: round2(medianError(d)) }];
    }));
  }
  console.log(JSON.stringify(out));
} finally {
  for (const s of sides) await s.app.close();
  rmSync(copy, { recursive: true, force: true });
}
