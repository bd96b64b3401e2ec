/**
 * The Redis scripts' GLR (src/store/lua/glr.lua) against src/bandit/glr.ts on a real Redis: the
 * same reward sequence gives the same detections at the same rewards, the same change points, and
 * the same state sums bit for bit (what lets every replica restart an arm at the same point,
 * whichever store it runs on).
 */
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { emptyGlrState, observe, restartsEvidence, type GlrModel, type GlrState } from '../src/bandit/glr.js';
import { makeRng, sampleNormal } from '../src/bandit/random.js';
import { readLua } from '../src/store/redis-store.js';
import { REDIS_URL, describeIf, redisAvailable } from './helpers/redis.js';

const DRIVER = `
local state, model, delta = ARGV[1], ARGV[2], tonumber(ARGV[3])
local found = {}
for i = 4, #ARGV do
  local d
  state, d = glr_observe(state, model, delta, tonumber(ARGV[i]), i - 4)
  if d then
    found[#found + 1] = { tostring(i - 4), string.format('%.17g', d.at), string.format('%.17g', d.after[1]),
      string.format('%.17g', d.statistic), tostring(glr_restarts(d, true)), tostring(glr_restarts(d, false)) }
  end
end
return { state, found }`;

/** The TypeScript detector over the same rewards, with the state in the Lua string's shape. */
function viaTs(model: GlrModel, delta: number, xs: readonly number[]) {
  let state: GlrState = emptyGlrState();
  const found: (number | boolean)[][] = [];
  xs.forEach((x, i) => {
    const o = observe(state, model, delta, x, i);
    state = o.state;
    if (o.detection) found.push([i, o.detection.at, o.detection.after.n, o.detection.statistic, restartsEvidence(o.detection, true), restartsEvidence(o.detection, false)]);
  });
  return { state: state.blocks.map((s) => [s.n, s.s, s.q, s.t]), found };
}

const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
afterAll(() => client.disconnect());

describeIf(await redisAvailable(), `Redis at ${REDIS_URL}`, 'GLR in Lua = GLR in TypeScript', () => {
  const cases: { name: string; model: GlrModel; xs: () => number[] }[] = [
    { name: 'Bernoulli, two changes', model: 'bernoulli', xs: () => { const r = makeRng('lua-b'); return Array.from({ length: 6000 }, (_, i) => (r() < (i < 2500 ? 0.3 : i < 4500 ? 0.1 : 0.25) ? 1 : 0)); } },
    { name: 'Bernoulli, a slow drift (the trend test, on merged segments)', model: 'bernoulli', xs: () => { const r = makeRng('glr-drift'); return Array.from({ length: 20_000 }, (_, i) => (r() < 0.1 - (0.05 * i) / 20_000 ? 1 : 0)); } },
    { name: 'Gaussian, a shift after more rewards than MAX_BLOCKS blocks hold (segments merged)', model: 'gaussian', xs: () => { const r = makeRng('lua-g'); return Array.from({ length: 5000 }, (_, i) => 3 + (i < 4000 ? 0 : 0.8) + 2 * sampleNormal(r)); } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const xs = c.xs();
      const ts = viaTs(c.model, 0.001, xs);
      expect(ts.found.length).toBeGreaterThan(0);
      const [state, raw] = (await client.callBuffer('EVAL', readLua('glr') + DRIVER, 0, '', c.model, '0.001', ...xs.map((x) => x.toString()))) as [Buffer, Buffer[][]];
      const found = raw.map((f) => f.map(String));
      expect(found.map((f) => f.slice(0, 3).map(Number))).toEqual(ts.found.map((f) => f.slice(0, 3)));
      found.forEach((f, i) => {
        expect(Number(f[3])).toBeCloseTo(ts.found[i][3] as number, 9);
        expect([f[4] === 'true', f[5] === 'true']).toEqual(ts.found[i].slice(4));
      });
      // The state: segments of four little-endian doubles (glr.lua's header), bit for bit the TypeScript sums.
      const segments = Array.from({ length: state.length / 32 }, (_, j) => [0, 1, 2, 3].map((k) => state.readDoubleLE(32 * j + 8 * k)));
      expect(segments).toEqual(ts.state);
    });
  }
});
