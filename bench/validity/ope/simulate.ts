/**
 * One seeded run of the off-policy coverage simulation, through the service's own code: a Thompson
 * experiment (3-5 Bernoulli arms of known rates, sticky users) on the embedded store, /select and
 * /reward as use cases (`select`, `reward`), users returning 1-5 times in a shuffled order, a clock
 * that moves 100 ms per decision (so the cached posteriors refresh every 10 decisions, as under
 * traffic), then `evaluate` for "always arm k" for every k. The truth of "always arm k" is its rate.
 *
 * Used by bench/validity/ope-coverage.ts (the long run, figures in bench/RESULTS.md) and by
 * test/ope-coverage.test.ts (a short seeded version).
 */
import { CreateExperimentSchema } from '../../../src/contract/experiment.js';
import { makeRng } from '../../../src/bandit/random.js';
import { ServiceContext } from '../../../src/service/context.js';
import { evaluate, type EvaluateResult } from '../../../src/service/evaluate.js';
import { createExperiment } from '../../../src/service/experiments.js';
import { reward } from '../../../src/service/reward.js';
import { select } from '../../../src/service/select.js';
import { MemoryStore } from '../../../src/store/memory-store.js';

export interface RunResult {
  rates: number[];
  decisions: number;
  /** Per arm k: the evaluate answer for "always arm k". */
  perArm: EvaluateResult[];
}

export interface SimOptions {
  users: number;
  /** The logging policy: thompson (adaptive) or fixed (an equal split, not adaptive: the control case). */
  policy?: 'thompson' | 'fixed';
  /** Arm rates are drawn uniformly from [rateLow, rateLow + rateSpan]. */
  rateLow?: number;
  rateSpan?: number;
  /** Step of the simulated clock per decision (ms). */
  stepMs?: number;
  /** The Thompson experiment's exploration floor (`minArmShare`); none by default. */
  minArmShare?: number;
}

export async function simulateRun(seed: number, opts: SimOptions): Promise<RunResult> {
  const rng = makeRng(`ope-coverage-${seed}`);
  const k = 3 + Math.floor(rng() * 3);
  const rates = Array.from({ length: k }, () => (opts.rateLow ?? 0.1) + (opts.rateSpan ?? 0.6) * rng());
  let now = Date.parse('2026-03-01T00:00:00Z');
  const ctx = new ServiceContext(new MemoryStore(), 'ope-coverage-secret-0123456789', { now: () => now });
  await createExperiment(ctx, CreateExperimentSchema.parse({
    id: 'ope', arms: rates.map((_, i) => ({ id: `arm-${i}` })), rewardModel: 'bernoulli', policy: opts.policy ?? 'thompson', seed: `seed-${seed}`,
    rewardWindowSeconds: 365 * 86400, ...(opts.minArmShare !== undefined && { minArmShare: opts.minArmShare }),
  }));
  const visits: string[] = [];
  for (let u = 0; u < opts.users; u++) for (let v = 1 + Math.floor(rng() * 5); v > 0; v--) visits.push(`user-${u}`);
  for (let i = visits.length - 1; i > 0; i--) { const j = Math.floor(rng() * (i + 1)); [visits[i], visits[j]] = [visits[j], visits[i]]; }
  for (const userId of visits) {
    const d = await select(ctx, 'ope', userId);
    const arm = Number(d.armId.slice(4));
    await reward(ctx, { decisionId: d.decisionId, reward: rng() < rates[arm] ? 1 : 0 });
    now += opts.stepMs ?? 100;
  }
  const perArm: EvaluateResult[] = [];
  for (let a = 0; a < k; a++) perArm.push(await evaluate(ctx, 'ope', { kind: 'arm', armId: `arm-${a}` }));
  return { rates, decisions: visits.length, perArm };
}

export type EstimatorName = 'ips' | 'snips' | 'dr';

export interface CoverageSummary {
  runs: number;
  intervals: number;
  /** Per estimator: share of intervals (over runs and arms) that cover the truth, and the worst arm rank's share. */
  coverage: Record<EstimatorName, { all: number; byRank: number[] }>;
  /** Per estimator and arm rank (0 = best arm): mean error, its Monte-Carlo standard error, the mean reported standard error, and the mean interval width. */
  bias: Record<EstimatorName, { meanError: number; mcError: number; meanReportedSe: number; meanWidth: number }[]>;
  /** How many answers used each weighting (adaptive: the events' propensity vectors). */
  weighting: Record<string, number>;
  undefinedEstimates: number;
  clippedShare: number;
  /** The intervals given without a warning (effective sample size >= MIN_TRUSTED_ESS): how many, and their coverage. */
  trusted: { intervals: number; coverage: Record<EstimatorName, number> };
}

/** Coverage and bias over runs, with arms grouped by their rank in each run (best first; ranks beyond a run's k are skipped). */
export function summarise(results: RunResult[]): CoverageSummary {
  const names: EstimatorName[] = ['ips', 'snips', 'dr'];
  const maxK = Math.max(...results.map((r) => r.rates.length));
  const hits = Object.fromEntries(names.map((n) => [n, Array.from({ length: maxK }, () => ({ covered: 0, total: 0, errors: [] as number[], ses: [] as number[], widths: [] as number[] }))])) as
    Record<EstimatorName, { covered: number; total: number; errors: number[]; ses: number[]; widths: number[] }[]>;
  const weighting: Record<string, number> = {};
  let undefinedEstimates = 0, clipped = 0, units = 0, trustedN = 0;
  const trustedCovered: Record<EstimatorName, number> = { ips: 0, snips: 0, dr: 0 };
  for (const r of results) {
    const order = r.rates.map((_, i) => i).sort((a, b) => r.rates[b] - r.rates[a]);
    order.forEach((arm, rank) => {
      const res = r.perArm[arm];
      if (res.reason !== null) { undefinedEstimates += 1; return; }
      clipped += res.clipping.clipped;
      weighting[res.weighting.method] = (weighting[res.weighting.method] ?? 0) + 1;
      units += res.decisions;
      if (res.warning === null) trustedN += 1;
      for (const n of names) {
        const e = res.estimates[n];
        const h = hits[n][rank];
        h.total += 1;
        const covers = e.interval95![0] <= r.rates[arm] && r.rates[arm] <= e.interval95![1];
        if (covers) h.covered += 1;
        if (covers && res.warning === null) trustedCovered[n] += 1;
        h.errors.push(e.value! - r.rates[arm]);
        h.ses.push(e.standardError!);
        h.widths.push(e.interval95![1] - e.interval95![0]);
      }
    });
  }
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs: number[]): number => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
  const live = (n: EstimatorName) => hits[n].filter((h) => h.total > 0);
  return {
    runs: results.length,
    intervals: names.reduce((s, n) => s + live(n).reduce((t, h) => t + h.total, 0), 0),
    coverage: Object.fromEntries(names.map((n) => [n, {
      all: live(n).reduce((s, h) => s + h.covered, 0) / live(n).reduce((s, h) => s + h.total, 0),
      byRank: live(n).map((h) => h.covered / h.total),
    }])) as CoverageSummary['coverage'],
    bias: Object.fromEntries(names.map((n) => [n, live(n).map((h) => ({
      meanError: mean(h.errors), mcError: sd(h.errors) / Math.sqrt(h.errors.length), meanReportedSe: mean(h.ses), meanWidth: mean(h.widths),
    }))])) as CoverageSummary['bias'],
    weighting,
    undefinedEstimates,
    clippedShare: units ? clipped / units : 0,
    trusted: { intervals: trustedN, coverage: Object.fromEntries(names.map((n) => [n, trustedCovered[n] / trustedN])) as Record<EstimatorName, number> },
  };
}
