/**
 * Issue 22, "How it is shown": a seeded A/A with five declared metrics and ten looks, through the
 * embedded store's reward step (each decision's reward carries its five metrics) and the report's
 * metrics block (service/metrics-report.ts) at each look. Counted per run: whether each metric's
 * always-valid 95% interval of (arm - baseline) excludes 0 at any of the ten looks (bound 5% per
 * metric), and whether any of the five comparisons is "established" after Bonferroni (the family,
 * bound 5%). Then the same with a true difference in one metric, for the power.
 */
import { decisionRuleOf } from '../../src/bandit/decision-rule.js';
import { makeRng, sampleNormal, type Rng } from '../../src/bandit/random.js';
import type { ExperimentConfig } from '../../src/contract/domain.js';
import type { MetricConfig } from '../../src/contract/metrics.js';
import { metricsReport } from '../../src/service/metrics-report.js';
import { MemoryStore } from '../../src/store/memory-store.js';

export const SIGNAL_METRICS: MetricConfig[] = [
  { name: 'judge', kind: 'mean', direction: 'increase' }, // normal(0.6, 0.2)
  { name: 'thumbs_up', kind: 'proportion', direction: 'increase' }, // Bernoulli(0.3)
  { name: 'completed', kind: 'proportion', direction: 'increase' }, // Bernoulli(0.05): rare
  { name: 'latency_s', kind: 'mean', direction: 'decrease' }, // lognormal, skewed
  { name: 'tokens', kind: 'mean', direction: 'decrease' }, // normal(800, 250)
];

/** The five values of one decision; `shift` is added to the judge score of the treatment arm. */
function values(rng: Rng, treat: boolean, shift: number): Record<string, number> {
  return {
    judge: 0.6 + (treat ? shift : 0) + 0.2 * sampleNormal(rng),
    thumbs_up: rng() < 0.3 ? 1 : 0,
    completed: rng() < 0.05 ? 1 : 0,
    latency_s: Math.exp(0.5 * sampleNormal(rng)),
    tokens: 800 + 250 * sampleNormal(rng),
  };
}

export interface SignalRun { excludes: Record<string, boolean>; established: Record<string, boolean> }

/** One run: `decisions` split evenly between the baseline and one arm, ten equally spaced looks. */
export async function signalRun(seed: string, decisions: number, shift: number): Promise<SignalRun> {
  const rng = makeRng(seed);
  const store = new MemoryStore();
  const config = {
    id: 'aa', arms: [{ id: 'base' }, { id: 'treat' }], baselineArmId: 'base', metrics: SIGNAL_METRICS, rewardModel: 'gaussian',
    prior: { mu: 0, lambda: 0.01, alpha: 1, beta: 1 }, policy: 'fixed', status: 'active', holdbackPercent: 0, trafficPercent: 100, stickiness: false,
    stickyTtlSeconds: 100, rewardWindowSeconds: 86400, guardrails: null, endsAt: null, seed: null, createdAt: '', updatedAt: '',
  } as ExperimentConfig;
  await store.createExperiment(config);
  const excludes: Record<string, boolean> = {};
  const established: Record<string, boolean> = {};
  const rule = decisionRuleOf(null);
  for (let i = 1; i <= decisions; i++) {
    const treat = i % 2 === 0;
    const m = values(rng, treat, shift);
    await store.recordReward({
      experimentId: 'aa', armId: treat ? 'treat' : 'base', population: 'b', decisionKey: `k${i}`, issuedAt: 0, rewardWindowSeconds: 86400,
      reward: 0, event: { error: false }, guardrails: null, windowSize: 1000, baseline: !treat, nowMs: 0, log: { propensity: 0.5, retentionSeconds: 86400 },
      metrics: SIGNAL_METRICS.map((x) => ({ name: x.name, value: m[x.name] })),
    });
    if (i % (decisions / 10) !== 0) continue;
    const stats = (await store.getMetricStats('aa', SIGNAL_METRICS.map((x) => x.name)))!;
    const report = metricsReport(config, SIGNAL_METRICS, stats, {}, rule);
    for (const x of SIGNAL_METRICS) {
      const v = report.metrics[x.name].vsBaseline[0];
      const iv = v.alwaysValid.interval95;
      if (iv && iv[0] !== null && iv[1] !== null && (iv[0] > 0 || iv[1] < 0)) excludes[x.name] = true;
      if (v.established) established[x.name] = true;
    }
  }
  return { excludes, established };
}
