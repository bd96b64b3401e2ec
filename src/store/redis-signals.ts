/**
 * The Redis store's signal step and metric reads (issue 22): lua/signal.lua (metrics.lua
 * prepended) records a signal in one script call; the metric sums hash <prefix>{exp:<id>}:M is
 * read with one HGETALL. Every key is in the experiment's hash tag, so the script runs on Redis
 * Cluster unchanged.
 */
import { guardrailDisabled, type Breach } from '../bandit/guardrails.js';
import type { DisabledInfo } from '../contract/domain.js';
import type { MetricStats, MetricSums } from '../contract/metrics.js';
import type { Population } from '../contract/population.js';
import { dedupeBucket, type ExperimentKeys } from './redis-keys.js';
import type { MetricValue } from './signals.js';
import type { SignalInput, SignalResult } from './store.js';

type Script = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/** The metrics spec metrics.lua reads (reward.lua's ARGV[29], signal.lua's ARGV[6]); '' without metrics. */
export function metricSpec(keys: ExperimentKeys, metrics: readonly MetricValue[] | undefined, windowSize: number, baseline: boolean): string {
  if (!metrics || metrics.length === 0) return '';
  return JSON.stringify({
    k: keys.metricSums(), w: windowSize, d: baseline ? 0 : 1, l: JSON.stringify(Object.fromEntries(metrics.map((m) => [m.name, m.value]))),
    m: metrics.map((m) => ({
      n: m.name, v: m.value,
      ...(m.guardrail && { g: { ...(m.guardrail.max !== undefined && { max: m.guardrail.max }), ...(m.guardrail.min !== undefined && { min: m.guardrail.min }), ms: m.guardrail.minSamples } }),
    })),
  });
}

/** A script's reply {guardrail, observed, limit} as the arm's new state. */
export function metricDisabled(reply: unknown, nowIso: string): DisabledInfo | null {
  if (!Array.isArray(reply) || reply.length !== 3) return null;
  const [guardrail, observed, limit] = reply as [Breach['guardrail'], string, string];
  return guardrailDisabled({ guardrail, observed: Number(observed), limit: Number(limit) }, nowIso);
}

export async function recordSignal(keys: ExperimentKeys, script: Script, input: SignalInput, trim: number | ''): Promise<SignalResult> {
  const nowIso = new Date(input.nowMs).toISOString();
  const { bucket, keyTtl } = dedupeBucket(input.issuedAt, input.rewardWindowSeconds, input.nowMs / 1000);
  const reply = await script([keys.meta(), keys.metricSums(), keys.dedupe(bucket), keys.log()], [
    input.armId, input.population, input.decisionKey, keyTtl, input.version ?? '',
    metricSpec(keys, [input.metric], input.windowSize, input.baseline), nowIso, input.issuedAt, String(input.log.propensity), trim, input.log.userKey ?? '',
  ]);
  if (reply === -1) return { kind: 'not_found' };
  if (reply === -2) return { kind: 'stale' };
  if (reply === -3) return { kind: 'duplicate' };
  if (reply === 1) return { kind: 'accepted' };
  const info = metricDisabled(reply, nowIso);
  if (!info) throw new Error(`signal.lua answered ${JSON.stringify(reply)}`);
  return { kind: 'accepted', autoDisabled: info };
}

/** The metric sums hash (see metrics.lua; read as Buffers: the sums are packed doubles) as MetricStats for the named metrics. */
export function decodeMetricStats(armIds: readonly string[], names: readonly string[], h: Record<string, Buffer>): MetricStats {
  const sums = (pop: Population, name: string, armId: string): MetricSums => {
    const b = h[`${pop}|${name}|${armId}`];
    return b ? { n: b.readDoubleLE(0), sum: b.readDoubleLE(8), sumSq: b.readDoubleLE(16) } : { n: 0, sum: 0, sumSq: 0 };
  };
  const out: MetricStats = Object.create(null) as MetricStats;
  for (const name of names) {
    out[name] = armIds.map((armId) => ({
      armId, bandit: sums('b', name, armId), holdback: sums('h', name, armId), excluded: sums('x', name, armId),
      window: { samples: (h[`w|${name}|${armId}`]?.length ?? 0) / 8, sum: Number(h[`ws|${name}|${armId}`]?.toString() ?? 0) },
    }));
  }
  return out;
}
