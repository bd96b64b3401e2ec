/**
 * Issue 21: seeded fuzz (fast-check) of random targeting conditions (valid and not) and random
 * contexts through the HTTP app: create, PATCH, /select and OFREP never answer 5xx, a refused
 * condition is 400 invalid_config naming a path under `targeting`, and every answer is in the contract.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drainViolations } from './helpers/contract-check.js';
import { experimentBody, makeTestApp } from './helpers/app.js';
import { storeKinds } from './helpers/stores.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);

const OPS = ['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$regex', '$not', '$elemMatch', '$size', '$all', '$type',
  '$veq', '$vne', '$vgt', '$vgte', '$vlt', '$vlte', '$bogus', '$inGroup'];
const LOGICAL = ['$and', '$or', '$nor', '$not', '$xor'];
const path = fc.constantFrom('plan', 'age', 'app', 'tags', 'user.plan', 'user.tags.0', 'a..b', 'constructor', '__proto__', '');
const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -5, max: 100 }), fc.double(), fc.boolean(), fc.constant(null),
  fc.constantFrom('1.2.3', 'v2.0.0-beta+1', '(', '[a-z', '.*', 'pro'));
const json = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('plan', 'age', 'x', '$gt'), tie('v'), { maxKeys: 3 })),
})).v;
const condition = fc.letrec<{ cond: Record<string, unknown>; value: unknown }>((tie) => ({
  cond: fc.oneof({ depthSize: 'small' },
    fc.dictionary(path, tie('value'), { maxKeys: 3 }),
    fc.record({ op: fc.constantFrom(...LOGICAL), subs: fc.array(tie('cond'), { maxLength: 3 }) }).map(({ op, subs }) => ({ [op]: op === '$not' ? subs[0] ?? {} : subs }))),
  value: fc.oneof({ depthSize: 'small' }, json,
    fc.dictionary(fc.constantFrom(...OPS), fc.oneof(json, tie('value'), tie('cond')), { minKeys: 1, maxKeys: 2 })),
}));
const context = fc.dictionary(fc.constantFrom('plan', 'age', 'app', 'tags', 'user', 'country'), json, { maxKeys: 5 });

describe.each(storeKinds)('targeting fuzz ($name store)', (kind) => {
  it(`${RUNS} random conditions and contexts: never a 5xx, bad conditions 400 invalid_config under targeting`, async () => {
    const made = await kind.make();
    const t = await makeTestApp(made.store);
    const statuses: Record<string, number> = {};
    const note = (what: string, status: number) => { statuses[`${what} ${status}`] = (statuses[`${what} ${status}`] ?? 0) + 1; };
    try {
      await fc.assert(fc.asyncProperty(condition.cond, condition.cond, context, fc.nat(), async (cond, patchCond, ctx, n) => {
        const id = `fz-${n}-${Math.random().toString(36).slice(2, 8)}`;
        const created = await t.post('/experiments', experimentBody({ id, targeting: cond }));
        note('create', created.status);
        expect(created.status).toBeLessThan(500);
        if (created.status === 400) {
          // A "__proto__" key is refused by the JSON parser itself (invalid_json); anything else by the condition's validation.
          if (JSON.stringify(cond).includes('"__proto__"')) expect(created.body.error).toBe('invalid_json');
          else expect(created.body).toMatchObject({ error: 'invalid_config', details: { issues: [{ path: expect.stringMatching(/^targeting/) }] } });
          return;
        }
        if (created.status === 409) return void expect(created.body.error).toBe('too_many_experiments'); // the experiment cap, past 1000 runs
        expect(created.status).toBe(201);
        const sel = await t.post('/select', { experimentId: id, userId: `u-${n}`, context: ctx });
        note('select', sel.status);
        if (sel.status === 200) note(`select ${sel.body.population}`, 200);
        expect([200, 400]).toContain(sel.status); // 400: a context over its bounds
        if (sel.status === 200 && sel.body.population === 'excluded') expect(sel.body.excludedBy).toBe('targeting');
        const of = await t.post(`/ofrep/v1/evaluate/flags/${id}`, { context: { targetingKey: `u-${n}`, ...ctx } });
        note('ofrep', of.status);
        expect(of.status).toBeLessThan(500);
        const patched = await t.patch(`/experiments/${id}`, { targeting: patchCond });
        note('patch', patched.status);
        expect([200, 400]).toContain(patched.status);
      }), { numRuns: RUNS, seed: SEED });
      expect(drainViolations()).toEqual([]);
      // The fuzz reaches both sides: conditions accepted and refused, requests in and out.
      expect(statuses['create 201']).toBeGreaterThan(RUNS / 10);
      expect(statuses['create 400']).toBeGreaterThan(RUNS / 10);
      expect(statuses['select excluded 200']).toBeGreaterThan(RUNS / 20);
      expect(statuses['select bandit 200']).toBeGreaterThan(RUNS / 20);
    } finally {
      console.log(`targeting fuzz (${kind.name}): ${JSON.stringify(statuses)}`);
      await t.app.close();
      await made.cleanup();
    }
  }, 120_000);
});
