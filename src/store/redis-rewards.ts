/**
 * The Redis store's decision and reward steps: assign.lua and reward.lua (with its libraries; see
 * redis-scripts.ts), one script call each, their arguments packed by redis-script-args.ts and their
 * replies read back here.
 */
import { guardrailDisabled, type Breach } from '../bandit/guardrails.js';
import type { GUARDRAIL_NAMES } from '../contract/experiment-config.js';
import { changeOf } from './redis-changes.js';
import { dedupeBucket, stickyEpochs, stickyField, type ExperimentKeys } from './redis-keys.js';
import { withLinear } from './redis-linear.js';
import { assignArgs, rewardArgs } from './redis-script-args.js';
import { failure } from './redis-scripts.js';
import { metricDisabled } from './redis-signals.js';
import { decodeStats, pairsToRecord } from './redis-tallies.js';
import { linearSpec } from './linear-sums.js';
import type { AssignInput, AssignResult, RewardInput, RewardResult } from './store.js';

type GuardrailName = (typeof GUARDRAIL_NAMES)[number];
type Script = (keys: string[], args: string[]) => Promise<unknown>;

/**
 * assign.lua. `linear`: with `withStats`, the linear sums hash read in the same pipeline (awaited
 * only when the script served).
 */
export async function assign(k: ExperimentKeys, script: Script, input: AssignInput, trim: number | undefined,
  linear: Promise<Record<string, Buffer>> | null): Promise<AssignResult> {
  const { epoch, keyTtl } = stickyEpochs(input.now, input.stickyTtlSeconds);
  const field = input.userId !== undefined ? stickyField(input.userId) : undefined;
  const reply = await script([k.meta(), k.tallies(), k.sticky(epoch + 1), k.sticky(epoch), k.sticky(epoch - 1), k.log(), k.due()],
    [assignArgs(input, field, keyTtl, trim)]);
  const kind = failure(reply);
  if (kind === 'moved_to_bandit' || kind === 'moved_to_holdback') return { kind: 'moved', population: kind === 'moved_to_bandit' ? 'b' : 'h' };
  if (kind === 'not_found' || kind === 'stale') return { kind };
  if (kind) throw new Error(`assign.lua answered ${kind}`);
  const [armId, propensity, stickyFlag, first, arms, tallies] = reply as [string, string, number, number, string?, string[]?];
  const served: AssignResult = { kind: 'served', armId, propensity: Number(propensity), sticky: stickyFlag === 1, firstExposure: first === 1 };
  if (arms !== undefined) served.stats = withLinear(decodeStats(JSON.parse(arms) as string[], pairsToRecord(tallies!)), (await linear) ?? {});
  return served;
}

/** reward.lua: the reply as the store's result (a guardrail's or a metric's disable, a detected change). */
export async function recordReward(k: ExperimentKeys, script: Script, input: RewardInput, trim: number | undefined): Promise<RewardResult> {
  const nowIso = new Date(input.nowMs).toISOString();
  const { bucket, keyTtl } = dedupeBucket(input.issuedAt, input.rewardWindowSeconds, input.nowMs / 1000);
  const wrapped = await script(
    [k.meta(), k.tallies(), k.dedupe(bucket), k.events(input.armId), k.windows(), k.userSums(), k.log(), k.due(), k.defaulted(), k.metricSums(), k.detectors(), k.linearSums()],
    [rewardArgs(input, nowIso, keyTtl, trim, linearSpec(input))]);
  const { reply, change } = changeOf(wrapped);
  const kind = failure(reply);
  if (kind === 'not_found' || kind === 'duplicate' || kind === 'stale' || kind === 'expired') return { kind };
  if (kind) throw new Error(`reward.lua answered ${kind}`);
  const found = change && { changeDetected: change };
  if (!Array.isArray(reply)) return { kind: 'accepted', ...found };
  const byMetric = metricDisabled(reply, nowIso);
  if (byMetric) return { kind: 'accepted', autoDisabled: byMetric, ...found };
  const [name, observed] = reply as [Breach['guardrail'], string];
  const limit = input.guardrails![name as GuardrailName]!;
  return { kind: 'accepted', autoDisabled: guardrailDisabled({ guardrail: name, observed: Number(observed), limit }, nowIso), ...found };
}
