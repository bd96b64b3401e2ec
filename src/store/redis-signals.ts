/**
 * The Redis store's signal step and metric reads (issue 22): lua/signal.lua (metrics.lua
 * prepended) records a signal in one script call; the metric sums hash <prefix>{exp:<id>}:M is
 * read with one HGETALL. Every key is in the experiment's hash tag, so the script runs on Redis
 * Cluster unchanged.
 */
import { guardrailDisabled, type Breach } from '../bandit/guardrails.js';
import type { DisabledInfo } from '../contract/domain.js';
import type { MetricStats, MetricSums, MetricUserSums } from '../contract/metrics.js';
import type { Population } from '../contract/population.js';
import { EXPIRY_MARGIN_SECONDS, dedupeBucket, type ExperimentKeys } from './redis-keys.js';
import type { MetricValue } from './signals.js';
import type { SignalInput, SignalResult } from './store.js';

type Script = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/**
 * The metrics spec text metrics.lua reads (reward.lua's ARGV[29], signal.lua's ARGV[6]); '' without
 * metrics. Space-separated tokens, '-' for none: the window size, 1 when a breach may disable the
 * arm, then per metric its name, value, guardrail max, min and minSamples. Names are [a-z0-9_] and a
 * value is String(number) (finite), which is also its JSON text for the event log.
 */
export function metricSpec(metrics: readonly MetricValue[] | undefined, windowSize: number, baseline: boolean): string {
  if (!metrics || metrics.length === 0) return '';
  const opt = (x: number | undefined): string => (x === undefined ? '-' : String(x));
  let text = `${windowSize} ${baseline ? 0 : 1}`;
  for (const m of metrics) text += ` ${m.name} ${String(m.value)} ${opt(m.guardrail?.max)} ${opt(m.guardrail?.min)} ${opt(m.guardrail?.minSamples)}`;
  return text;
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
  const reply = await script([keys.meta(), keys.metricSums(), keys.dedupe(bucket), keys.log(), keys.userSums()], [
    input.armId, input.population, input.decisionKey, keyTtl, input.version ?? '',
    metricSpec([input.metric], input.windowSize, input.baseline), nowIso, input.issuedAt, String(input.log.propensity), trim, input.log.userKey ?? '',
    Math.ceil((input.userSumsTtlSeconds ?? input.rewardWindowSeconds) + EXPIRY_MARGIN_SECONDS),
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
  const users = (pop: Population, name: string, armId: string): MetricUserSums => {
    const b = h[`U|${pop}|${name}|${armId}`];
    const [units, sum, count, sumSq, countSq, cross] = b ? [0, 1, 2, 3, 4, 5].map((i) => b.readDoubleLE(8 * i)) : [0, 0, 0, 0, 0, 0];
    return { units, sum, count, sumSq, countSq, cross };
  };
  const out: MetricStats = Object.create(null) as MetricStats;
  for (const name of names) {
    out[name] = armIds.map((armId) => ({
      armId, bandit: sums('b', name, armId), holdback: sums('h', name, armId), excluded: sums('x', name, armId),
      users: { bandit: users('b', name, armId), holdback: users('h', name, armId) },
      window: { samples: (h[`w|${name}|${armId}`]?.length ?? 0) / 8, sum: Number(h[`ws|${name}|${armId}`]?.toString() ?? 0) },
    }));
  }
  return out;
}
