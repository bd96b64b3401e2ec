/** The Redis store's reads of the tallies and guardrail windows: the hashes assign.lua and reward.lua write, as the store's values. */
import { POPULATION_NAMES, POPULATIONS, type Population } from '../contract/population.js';
import type { EngineSums, ExperimentStats, GuardrailWindow, Tally } from '../contract/domain.js';
import { decodeChanges } from './redis-changes.js';

const POPULATION_PAIRS = POPULATIONS.map((p) => [p, POPULATION_NAMES[p]] as const);

/** The tallies hash (see redis-keys.ts) as every arm's stats, in the experiment's order. */
export function decodeStats(armIds: string[], tallies: Record<string, string>): ExperimentStats {
  const tally = (pop: Population, armId: string): Tally => ({
    decisions: Number(tallies[`${pop}d:${armId}`] ?? 0),
    rewards: Number(tallies[`${pop}r:${armId}`] ?? 0),
    sum: Number(tallies[`${pop}s:${armId}`] ?? 0),
    sumSq: Number(tallies[`${pop}q:${armId}`] ?? 0),
    users: Number(tallies[`${pop}u:${armId}`] ?? 0),
    ...decodeEngineSums(tallies, pop, armId),
    ...decodeChanges(tallies, pop, armId),
  });
  const userSums = (pop: 'b' | 'h') => ({
    sumSq: Number(tallies[`${pop}~ss`] ?? 0), countSq: Number(tallies[`${pop}~nn`] ?? 0), cross: Number(tallies[`${pop}~sn`] ?? 0),
  });
  return {
    arms: armIds.map((armId) => {
      const arm = { armId } as ExperimentStats['arms'][number];
      for (const [pop, name] of POPULATION_PAIRS) arm[name] = tally(pop, armId);
      return arm;
    }),
    users: { b: userSums('b'), h: userSums('h') },
  };
}

/** The engine-sum fields of one arm and population (lua/engine-sums.lua), when it has any. */
function decodeEngineSums(tallies: Record<string, string>, pop: Population, armId: string): { engine?: EngineSums } {
  const f = (name: string): number => Number(tallies[`${pop}${name}:${armId}`] ?? 0);
  const hasCost = tallies[`${pop}cn:${armId}`] !== undefined;
  const at = tallies[`${pop}Dt:${armId}`];
  const hasHurdle = tallies[`${pop}hk:${armId}`] !== undefined;
  if (!hasCost && at === undefined && !hasHurdle) return {};
  const engine: EngineSums = { costs: f('cn'), costSum: f('cs'), costSumSq: f('cq') };
  if (hasHurdle) engine.hurdle = { nonzero: f('hk'), logSum: f('hl'), logSumSq: f('hq') };
  if (at !== undefined) {
    engine.decayed = { rewards: f('Dr'), sum: f('Ds'), sumSq: f('Dq'), costs: f('Dcn'), costSum: f('Dcs'), costSumSq: f('Dcq'), at: Number(at) };
  }
  return { engine };
}

/** An arm's guardrail window (lua/guardrail-window.lua): its events list and the counters hash. */
export function decodeWindow(armId: string, events: string[], counters: Record<string, string>): GuardrailWindow {
  const latencies: number[] = [];
  for (const ev of events) {
    const latency = ev.split('|')[1];
    if (latency !== '') latencies.push(Number(latency));
  }
  return {
    samples: events.length,
    latencies,
    costSamples: Number(counters[`c:${armId}`] ?? 0),
    costSum: Number(counters[`s:${armId}`] ?? 0),
    errors: Number(counters[`e:${armId}`] ?? 0),
  };
}

/** A flat HGETALL-style reply as a record. */
export function pairsToRecord(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}
