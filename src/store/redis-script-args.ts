/**
 * The packed argument of the assign, reward, signal and update-experiment scripts (issue 26): one JSON
 * object per call, ARGV[1], decoded in Lua with cjson.decode. Every field is documented here and nowhere else; an
 * absent field is omitted (nil in Lua). cjson rather than cmsgpack: cmsgpack.unpack decoded the
 * reward's object about 20% faster (bench/RESULTS.md, issue 26), but the TypeScript side would need
 * a MessagePack encoder the project does not have; JSON.stringify costs nothing to own.
 *
 * A number Lua computes with is a JSON number (cjson reads it with strtod: the exact double); a
 * number Lua only writes into text (the event log, the due set) is the caller's text, so that Lua
 * never formats a number as JavaScript would.
 */
import { mayAutoDisable } from '../bandit/guardrails.js';
import { EXPIRY_MARGIN_SECONDS, dueMember, legacyDueMember, type DueEntry } from './redis-keys.js';
import type { MetricValue } from './signals.js';
import type { AssignInput, RewardInput, SignalInput } from './store.js';

const text = (x: number | undefined): string | undefined => (x === undefined ? undefined : String(x));

/** How long the per-user sums hash must live after a reward or signal (seconds). */
const userTtl = (input: Pick<RewardInput, 'userSumsTtlSeconds' | 'rewardWindowSeconds'>): number =>
  Math.ceil((input.userSumsTtlSeconds ?? input.rewardWindowSeconds) + EXPIRY_MARGIN_SECONDS);

/**
 * The metrics field (metrics.lua readMetricSpec): w the window size, d true when a breach may disable
 * the arm (not the baseline), m per metric [name, value's String() (also its JSON in the log),
 * guardrail minSamples, max, min] with the guardrail's three only when it has one (null for a
 * missing bound).
 */
function metricsField(metrics: readonly MetricValue[] | undefined, windowSize: number, baseline: boolean) {
  if (!metrics || metrics.length === 0) return undefined;
  const m = metrics.map((x) => (x.guardrail
    ? [x.name, String(x.value), x.guardrail.minSamples, x.guardrail.max ?? null, x.guardrail.min ?? null]
    : [x.name, String(x.value)]));
  return { w: windowSize, d: !baseline, m };
}

/** The due-set members of a decision: today's, and the one an earlier release wrote (decimal propensity), so a reward takes either off. */
const dueMembers = (d: DueEntry): [string, string] => [dueMember(d), legacyDueMember(d)];

/** assign.lua's argument. */
export function assignArgs(input: AssignInput, stickyField: string | undefined, keyTtl: number, trim: number | undefined): string {
  const { log } = input;
  return JSON.stringify({
    version: String(input.version), // the version the caller chose with (compared with the meta hash's v; written into the log)
    arm: input.armId, // the chosen arm
    propensity: String(input.propensity), // its propensity (the log's and the due set's text)
    pop: input.population, // b | h | x
    field: stickyField, // the user's record field (hashed userId); absent without a userId
    now: String(input.now), // unix seconds: the decision's issuedAt (text: the log and the due set write it)
    stickyTtl: input.stickyTtlSeconds,
    keyTtl, // seconds the current epoch's sticky hash must live
    stats: input.withStats, // true: answer the tallies too
    sticky: input.sticky, // stickiness on: a bandit record's arm is served again
    nonce: log.nonce, // the decision token's nonce (the log's and the due set's decision key)
    userId: input.userId, // the log's userId
    context: log.context, // the log's context JSON
    disabled: log.disabledArms, // the log: indexes of the disabled arms at this version, comma-separated ('' none)
    traceparent: log.traceparent,
    trim, // eventRetentionSeconds: trim the log this time (absent: not this time)
    dueAt: input.defaultReward?.dueAt, // default rewards (issue 11): unix seconds when the default is due; absent without defaultReward
    userKey: input.defaultReward?.userKey, // the decision token's user key (the due set's member)
    propensities: log.propensities, // the log: every arm's propensity, encoded (encodePropensities); kept only when the chosen arm is served
    excludedBy: log.excludedBy, // the log: why an excluded decision was excluded (issue 21)
  });
}

/** reward.lua's argument (its libraries read theirs: metrics, change, linear). */
export function rewardArgs(input: RewardInput, nowIso: string, dedupeTtl: number, trim: number | undefined, linear: number[] | undefined): string {
  const g = input.guardrails;
  const e = input.engine;
  return JSON.stringify({
    arm: input.armId,
    pop: input.population, // b | h | x
    key: input.decisionKey, // the dedupe key
    dedupeTtl, // seconds the dedupe set must live
    reward: text(input.reward), // the reward's text (absent: an event without a value)
    latency: text(input.event.latencyMs),
    cost: text(input.event.cost),
    error: input.event.error ? 1 : 0,
    windowSize: input.windowSize, // events kept per arm in the guardrail window
    guard: mayAutoDisable(g, input.baseline), // check the guardrails (on, and not the baseline)
    minSamples: g?.minSamples ?? 0,
    p95: text(g?.latencyP95Ms), // limits, as text (written into a disable); absent when off
    meanCost: text(g?.meanCost),
    errorRate: text(g?.errorRate),
    now: nowIso, // ISO time written into an automatic disable
    version: input.version === undefined ? undefined : String(input.version), // a reward decided with another version is stale
    user: input.userKey, // the decision's user key (per-user sums; the log's k)
    userTtl: userTtl(input), // seconds the per-user sums hash must live
    issuedAt: String(input.issuedAt), // the log: the decision's issuedAt
    propensity: String(input.log.propensity), // the log: the decision's propensity
    metadata: input.log.metadata, // the log: metadata JSON
    trim, // the log: eventRetentionSeconds to trim by this time
    halfLife: e?.halfLifeSeconds ?? undefined, // engine sums (issue 11): discount half-life in seconds; absent: off
    costs: e?.costs ?? false, // keep the population's cost sums
    hurdle: e?.hurdle ?? false, // keep the population's hurdle sums (rewardShape hurdle-lognormal)
    nowS: input.nowMs / 1000, // now in unix seconds: when the discounted sums are valued
    // default rewards (issue 11): absent, the experiment has none; 0 it has one; 1 this call applies it;
    // 2 the reward came after afterSeconds (expired unless a duplicate)
    defaults: input.defaults ? (input.defaults.apply ? 1 : input.defaults.late ? 2 : 0) : undefined,
    due: input.defaults ? dueMembers({ ...input, propensity: input.log.propensity }) : undefined, // the decision's due-set members (both forms)
    forgetAt: input.issuedAt + input.rewardWindowSeconds, // until when an applied default is remembered
    metrics: metricsField(input.metrics, input.windowSize, input.baseline), // metrics (issue 22), metrics.lua
    // change detection (issue 24): the arm's test, as changes.lua reads it
    change: input.changes ? { m: input.changes.model, d: input.changes.delta, ps: input.changes.priorSum, pw: input.changes.priorWeight, t: input.issuedAt, n: input.nowMs / 1000, ...(input.changes.eachArm && { e: 1 }) } : undefined,
    linear, // a linear policy's spec (issue 23), as linear.lua reads it: decoded with the rest of the argument
  });
}

/** signal.lua's argument. */
export function signalArgs(input: SignalInput, nowIso: string, dedupeTtl: number, trim: number | undefined): string {
  return JSON.stringify({
    arm: input.armId,
    pop: input.population,
    key: input.decisionKey,
    dedupeTtl,
    version: input.version === undefined ? undefined : String(input.version),
    metrics: metricsField([input.metric], input.windowSize, input.baseline), // one metric
    now: nowIso,
    issuedAt: String(input.issuedAt),
    propensity: String(input.log.propensity),
    trim,
    user: input.log.userKey, // the log's k, and the user of the user-level sums
    userTtl: userTtl(input),
  });
}

/** update-experiment.lua's argument: the patch as field -> the value's JSON text ('' for undefined). */
export function patchArgs(patch: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v === undefined ? '' : JSON.stringify(v)])));
}
