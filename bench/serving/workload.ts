/**
 * The serving benchmarks' workload, shared by bench/serving/http.ts (over HTTP) and bench/serving/hot-path.ts (in
 * process): one experiment of 10 arms, Thompson Sampling, bernoulli, holdback 10%, guardrails on
 * with limits the runs never reach; users drawn from 100,000 ids; 10% of rewards repeated.
 */
export const USERS = 100_000;
export const HOLDBACK_PERCENT = 10;
export const DUPLICATE_SHARE = 0.1;
export const ARM_IDS = Array.from({ length: 10 }, (_, i) => `arm-${i}`);

/** The POST /experiments body of the benchmark experiment. */
export const experimentBody = (id: string) => ({
  id,
  arms: ARM_IDS.map((armId, i) => ({ id: armId, payload: { model: i < 5 ? 'small' : 'large', prompt: `v${i}`, temperature: 0.2 } })),
  rewardModel: 'bernoulli',
  policy: 'thompson',
  holdbackPercent: HOLDBACK_PERCENT,
  guardrails: { latencyP95Ms: 5000, errorRate: 0.5, minSamples: 50 },
});
