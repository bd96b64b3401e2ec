/**
 * Issue 22, "How it is shown": a seeded A/A with five declared metrics and ten looks, through the
 * embedded store's reward step (each decision's reward carries its five metrics) and the report's
 * metrics block (service/metrics-report.ts) at each look. Counted per run: whether each metric's
 * always-valid 95% interval of (arm - baseline) excludes 0 at any of the ten looks (bound 5% per
 * metric), and whether any of the five comparisons is "established" after Bonferroni (the family,
 * bound 5%). Then the same with a true difference in one metric, for the power.
 *
 * With `returning` (issue 22, B), users come back: each user makes 1-5 decisions (uniform), stays on
 * one arm (sticky, alternating by user) and carries a per-user effect on every metric (about half of
 * each metric's variance is between users), so a user's values are correlated. A comparison that
 * treats each decision as a unit understates its variance there; this measures by how much.
 */
import { decisionRuleOf } from '../../src/bandit/decision-rule.js';
import { makeRng, sampleNormal, type Rng } from '../../src/bandit/random.js';
import type { ExperimentConfig } from '../../src/contract/domain.js';
import type { MetricConfig } from '../../src/contract/metrics.js';
import { metricsReport } from '../../src/service/metrics-report.js';
import { compareToBaseline } from '../../src/bandit/metric-compare.js';
import { MemoryStore } from '../../src/store/memory-store.js';

export const SIGNAL_METRICS: MetricConfig[] = [
  { name: 'judge', kind: 'mean', direction: 'increase' }, // normal(0.6, 0.2)
  { name: 'thumbs_up', kind: 'proportion', direction: 'increase' }, // Bernoulli(0.3)
  { name: 'completed', kind: 'proportion', direction: 'increase' }, // Bernoulli(0.05): rare
  { name: 'latency_s', kind: 'mean', direction: 'decrease' }, // lognormal, skewed
  { name: 'tokens', kind: 'mean', direction: 'decrease' }, // normal(800, 250)
];

/** A user's effects on each metric (zero without returning users: every decision independent). */
type UserEffect = { judge: number; thumbs: number; completed: number; latency: number; tokens: number };
const NO_EFFECT: UserEffect = { judge: 0, thumbs: 0, completed: 0, latency: 0, tokens: 0 };
const userEffect = (rng: Rng): UserEffect => ({
  judge: 0.14 * sampleNormal(rng), thumbs: 0.2 * (rng() - 0.5) * 2, completed: rng() < 0.5 ? 0.04 : -0.04,
  latency: 0.35 * sampleNormal(rng), tokens: 175 * sampleNormal(rng),
});

/** The five values of one decision; `shift` is added to the judge score of the treatment arm. */
function values(rng: Rng, treat: boolean, shift: number, u: UserEffect): Record<string, number> {
  const within = u === NO_EFFECT ? 1 : Math.SQRT1_2; // half of the variance between users when they return
  return {
    judge: 0.6 + (treat ? shift : 0) + u.judge + 0.2 * within * sampleNormal(rng),
    thumbs_up: rng() < 0.3 + u.thumbs ? 1 : 0,
    completed: rng() < 0.05 + u.completed ? 1 : 0,
    latency_s: Math.exp(u.latency + 0.5 * within * sampleNormal(rng)),
    tokens: 800 + u.tokens + 250 * within * sampleNormal(rng),
  };
}

/** Per metric: the report's always-valid interval excluded 0 at some look; the same for the decision-level comparison (for contrast); established. */
export interface SignalRun { excludes: Record<string, boolean>; excludesPerDecision: Record<string, boolean>; established: Record<string, boolean> }

/** One run: `decisions` split evenly between the baseline and one arm, ten equally spaced looks. */
export async function signalRun(seed: string, decisions: number, shift: number, returning = false): Promise<SignalRun> {
  const rng = makeRng(seed);
  const store = new MemoryStore();
  const config = {
    id: 'aa', arms: [{ id: 'base' }, { id: 'treat' }], baselineArmId: 'base', metrics: SIGNAL_METRICS, rewardModel: 'gaussian',
    prior: { mu: 0, lambda: 0.01, alpha: 1, beta: 1 }, policy: 'fixed', status: 'active', holdbackPercent: 0, trafficPercent: 100, stickiness: false,
    stickyTtlSeconds: 100, rewardWindowSeconds: 86400, guardrails: null, endsAt: null, seed: null, createdAt: '', updatedAt: '',
  } as ExperimentConfig;
  await store.createExperiment(config);
  const excludes: Record<string, boolean> = {};
  const excludesPerDecision: Record<string, boolean> = {};
  const established: Record<string, boolean> = {};
  const rule = decisionRuleOf(null);
  // Returning users: user j makes visits[j] (1-5) decisions, in a shuffled order over the run.
  const order: number[] = [];
  const effects: UserEffect[] = [];
  if (returning) {
    for (let j = 0; order.length < decisions; j++) {
      effects.push(userEffect(rng));
      const visits = 1 + Math.floor(rng() * 5);
      for (let v = 0; v < visits && order.length < decisions; v++) order.push(j);
    }
    for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(rng() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  }
  for (let i = 1; i <= decisions; i++) {
    const user = returning ? order[i - 1] : -1;
    const treat = returning ? user % 2 === 1 : i % 2 === 0;
    const m = values(rng, treat, shift, returning ? effects[user] : NO_EFFECT);
    await store.recordReward({
      experimentId: 'aa', armId: treat ? 'treat' : 'base', population: 'b', decisionKey: `k${i}`, issuedAt: 0, rewardWindowSeconds: 86400,
      ...(returning && { userKey: `u${String(user).padStart(11, '0')}` }),
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
      const [base, arm] = stats[x.name];
      const d = compareToBaseline(arm.bandit, base.bandit, rule.sequentialTuningUsers);
      if (d && (d.interval95[0] > 0 || d.interval95[1] < 0)) excludesPerDecision[x.name] = true;
    }
  }
  return { excludes, excludesPerDecision, established };
}
