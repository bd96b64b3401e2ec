/**
 * The Redis store's signal step and metric reads (issue 22): lua/signal.lua (metrics.lua
 * prepended) records a signal in one script call (its argument: redis-script-args.ts signalArgs); the metric sums hash <prefix>{exp:<id>}:M is
 * read with one HGETALL. Every key is in the experiment's hash tag, so the script runs on Redis
 * Cluster unchanged.
 */
import { guardrailDisabled, type Breach } from '../bandit/guardrails.js';
import type { DisabledInfo } from '../contract/domain.js';
import type { MetricStats, MetricSums, MetricUserSums } from '../contract/metrics.js';
import type { Population } from '../contract/population.js';
import { dedupeBucket, type ExperimentKeys } from './redis-keys.js';
import { signalArgs } from './redis-script-args.js';
import { failure } from './redis-scripts.js';
import type { SignalInput, SignalResult } from './store.js';

type Script = (keys: string[], args: string[]) => Promise<unknown>;

/** A script's reply {guardrail, observed, limit} as the arm's new state. */
export function metricDisabled(reply: unknown, nowIso: string): DisabledInfo | null {
  if (!Array.isArray(reply) || reply.length !== 3) return null;
  const [guardrail, observed, limit] = reply as [Breach['guardrail'], string, string];
  return guardrailDisabled({ guardrail, observed: Number(observed), limit: Number(limit) }, nowIso);
}

export async function recordSignal(keys: ExperimentKeys, script: Script, input: SignalInput, trim: number | undefined): Promise<SignalResult> {
  const nowIso = new Date(input.nowMs).toISOString();
  const { bucket, keyTtl } = dedupeBucket(input.issuedAt, input.rewardWindowSeconds, input.nowMs / 1000);
  const reply = await script([keys.meta(), keys.metricSums(), keys.dedupe(bucket), keys.log(), keys.userSums()], [signalArgs(input, nowIso, keyTtl, trim)]);
  const kind = failure(reply);
  if (kind === 'not_found' || kind === 'stale' || kind === 'duplicate') return { kind };
  if (reply === 1) return { kind: 'accepted' };
  const info = metricDisabled(reply, nowIso);
  if (!info) throw new Error(`signal.lua answered ${JSON.stringify(reply)}`);
  return { kind: 'accepted', autoDisabled: info };
}

/** The metric sums hash (see metrics.lua, either layout; read as Buffers: the sums are packed doubles) as MetricStats for the named metrics. */
export function decodeMetricStats(armIds: readonly string[], names: readonly string[], h: Record<string, Buffer>): MetricStats {
  // Bandit and holdback: one C| field of nine doubles; before issue 26 (still read) two fields, <pop>| and U|.
  const doubles = (b: Buffer | undefined, from: number, count: number): number[] =>
    Array.from({ length: count }, (_, i) => (b ? b.readDoubleLE(8 * (from + i)) : 0));
  const sums = (pop: Population, name: string, armId: string): MetricSums => {
    const c = pop === 'x' ? undefined : h[`C|${pop}|${name}|${armId}`];
    const [n, sum, sumSq] = doubles(c ?? h[`${pop}|${name}|${armId}`], 0, 3);
    return { n, sum, sumSq };
  };
  const users = (pop: Population, name: string, armId: string): MetricUserSums => {
    const c = h[`C|${pop}|${name}|${armId}`];
    const [units, sum, count, sumSq, countSq, cross] = c ? doubles(c, 3, 6) : doubles(h[`U|${pop}|${name}|${armId}`], 0, 6);
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
