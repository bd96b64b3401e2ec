import { describe, expect, it } from 'vitest';
import { compileCondition, ConditionError, MAX_CONDITION_DEPTH, paddedVersion } from '../../src/contract/condition.js';
import { readFileSync } from 'node:fs';
import { CASES, INVALID } from './condition-cases.js';
import { conditionTable } from './condition-table.js';

describe('targeting conditions (GrowthBook semantics)', () => {
  it.each(CASES)('%s', (_what, cond, context, matches) => {
    expect(compileCondition(cond)(context)).toBe(matches);
  });

  it.each(INVALID)('refuses %j at %s', (cond, path) => {
    let err: unknown;
    try {
      compileCondition(cond);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConditionError);
    expect((err as ConditionError).path.join('.')).toBe(path);
  });

  it('refuses nesting deeper than the bound, and accepts it at the bound', () => {
    const nest = (n: number): Record<string, unknown> => (n === 0 ? { a: 1 } : { $not: nest(n - 1) });
    expect(() => compileCondition(nest(MAX_CONDITION_DEPTH + 1))).toThrow(ConditionError);
    expect(compileCondition(nest(MAX_CONDITION_DEPTH - 2))({ a: 1 })).toBe(MAX_CONDITION_DEPTH % 2 === 0);
  });

  it('docs/targeting.md holds this table as it is (regenerate: npx tsx -e "import(\'./test/assignment/condition-table.ts\').then((m) => console.log(m.conditionTable()))")', () => {
    expect(readFileSync(new URL('../../docs/targeting.md', import.meta.url), 'utf8')).toContain(conditionTable());
  });

  it('orders versions numerically, pre-releases before the release', () => {
    const sorted = ['0.9.9', '1.0.0-alpha', '1.0.0-beta.2', '1.0.0', '1.2.0', '1.10.0', '10.0.0'];
    const keys = sorted.map(paddedVersion);
    expect([...keys].sort()).toEqual(keys);
  });
});
