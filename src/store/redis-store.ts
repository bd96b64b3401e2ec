/**
 * The production store: Redis (or Redis Cluster), shared by every replica.
 *
 * Each write path is one Lua script from `lua/` (EVALSHA, falling back to EVAL), so it is atomic
 * and costs one round trip; reads are plain commands. Scripts answer failures with small negative
 * codes that `failure()` maps to the interface's result kinds. Connection loss and timeouts
 * surface as StoreUnavailableError; anything else (a script or data bug) is rethrown as is.
 * Keys are built in `redis-keys.ts`; the client is built in `redis-connect.ts`.
 */
import { lifeOf } from '../contract/experiment-config.js';
import { readFileSync } from 'node:fs';
import type { Cluster, Redis } from 'ioredis';
import { POPULATION_NAMES, POPULATIONS, type Population } from '../contract/population.js';
import { breachReason, guardrailDisabled, mayAutoDisable, type Breach } from '../bandit/guardrails.js';
import { nullProto } from './null-proto.js';
import { decodeMetricStats, metricDisabled, metricSpec, recordSignal } from './redis-signals.js';
import type { MetricStats } from '../contract/metrics.js';
import type { GUARDRAIL_NAMES } from '../contract/experiment-config.js';

type GuardrailName = (typeof GUARDRAIL_NAMES)[number];
import { RedisApiKeys } from './redis-api-keys.js';
import type { StoredEvent } from '../contract/event-log.js';
import { RedisLogReader } from './redis-log-reader.js';
import { withLinear } from './redis-linear.js';
import { linearSpec } from './linear-sums.js';
import { decodeClaim, encodeClaim, type ClaimMode, type ClaimResult, type LayerClaim } from './layer-claims.js';
import {
  EXPIRY_MARGIN_SECONDS, ExperimentKeys, checkPrefix, dedupeBucket, indexKey, layerKey, secretKey, stickyEpochs, stickyField,
} from './redis-keys.js';
import { changeOf, decodeChanges } from './redis-changes.js';
import { StoreUnavailableError, type ApiKeyWatch, type AssignInput, type AssignResult, type DueDefault, type ExperimentPatch, type RewardInput, type RewardResult, type SignalInput, type SignalResult, type Store } from './store.js';
import type { ApiKeyRecord, DisabledInfo, EngineSums, ExperimentConfig, ExperimentState, ExperimentStats, GuardrailWindow, HistoryPoint, Tally } from '../contract/domain.js';

export type RedisClient = Redis | Cluster;

export interface RedisStoreOptions {
  /** Namespace of every key (no braces), e.g. 'bandit:'. */
  prefix: string;
  /** The client's command timeout; a connection that answers nothing for 8x this (>= 2 s) is dropped and redialled. */
  commandTimeoutMs?: number;
}

/** ioredis command name -> [script file, number of keys]. */
const SCRIPTS = {
  banditCreateExperiment: ['create-experiment', 1],
  banditUpdateExperiment: ['update-experiment', 1],
  banditSetArmState: ['set-arm-state', 1],
  banditAssign: ['assign', 7],
  banditReward: ['reward', 12],
  banditSignal: ['signal', 5],
  banditSecret: ['get-or-create-secret', 1],
  banditHistoryPoint: ['history-point', 1],
  banditApiKeyChange: ['api-key-change', 3],
  banditClaimLayer: ['claim-layer', 1],
} as const;
type ScriptName = keyof typeof SCRIPTS;
type ScriptArg = string | number;

/** A script of `lua/` beside this module (`npm run build` copies them into dist/store/lua). */
export const readLua = (file: string): string => readFileSync(new URL(`./lua/${file}.lua`, import.meta.url), 'utf8');

/**
 * The reward step: reward.lua with its libraries (change detection, issue 24: glr.lua and changes.lua;
 * metrics.lua, issue 22; linear.lua, issue 23), its body wrapped in a function so that a change it detected is returned with
 * its reply, whichever of its returns it took: {'~change', detectedAt, at, reply}.
 */
export const rewardScript = (): string => [readLua('glr'), readLua('changes'), readLua('metrics'), readLua('linear'),
  'local function reward_step()', readLua('reward'), 'end',
  'local reply = reward_step()',
  "if change_found then return {'~change', change_found[1], change_found[2], reply} end",
  'return reply'].join('\n');

/** The negative codes of the scripts (see each script's header). */
const FAILURES = { [-1]: 'not_found', [-2]: 'stale', [-3]: 'duplicate', [-4]: 'exists', [-5]: 'expired' } as const;
type Failure = (typeof FAILURES)[keyof typeof FAILURES];

function failure(reply: unknown): Failure | null {
  if (typeof reply !== 'number' || reply >= 0) return null;
  const kind = FAILURES[reply as keyof typeof FAILURES];
  if (!kind) throw new Error(`Redis script answered the unknown code ${reply}`);
  return kind;
}

/** Replies that mean "not now" (server loading, failing over, out of memory), not "wrong". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|NOREPLICAS|OOM|MOVED|ASK)\b/;

/** True for connection loss, timeouts and transient server states; false for bugs. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ReplyError') return TRANSIENT_REPLY.test(err.message);
  return !(err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError || err instanceof ReferenceError);
}

const POPULATION_PAIRS = POPULATIONS.map((p) => [p, POPULATION_NAMES[p]] as const);

export class RedisStore implements Store {
  protected readonly prefix: string;
  private readonly staleAfterMs: number;
  private lastAnswerAt = Date.now();
  private readonly apiKeys: RedisApiKeys;
  private lastTrimAt = 0;
  /** The log's reads, on a connection of their own (redis-log-reader.ts). */
  private readonly logReader: RedisLogReader;

  constructor(protected readonly client: RedisClient, opts: RedisStoreOptions) {
    this.prefix = checkPrefix(opts.prefix);
    this.staleAfterMs = Math.max(2000, 8 * (opts.commandTimeoutMs ?? 250));
    for (const [name, [file, numberOfKeys]] of Object.entries(SCRIPTS)) {
      // metrics.lua (issue 22) is a library of the reward and signal steps; the reward step's has change detection's and linear.lua too.
      const lua = file === 'reward' ? rewardScript() : file === 'signal' ? `${readLua('metrics')}\n${readLua(file)}` : readLua(file);
      client.defineCommand(name, { numberOfKeys, lua });
    }
    this.logReader = new RedisLogReader(client, (x) => this.io(x), readLua('log-of-type'));
    this.apiKeys = new RedisApiKeys(client, this.prefix, (x) => this.io(x), (keys, args) => this.script('banditApiKeyChange', keys, args));
  }

  protected keys(experimentId: string): ExperimentKeys {
    return new ExperimentKeys(this.prefix, experimentId);
  }

  async createExperiment(config: ExperimentConfig): Promise<boolean> {
    const armIds = config.arms.map((a) => a.id);
    // Indexed first: listExperiments skips ids whose experiment is not (yet) stored.
    await this.io(() => this.client.sadd(indexKey(this.prefix), config.id));
    const reply = await this.script('banditCreateExperiment', [this.keys(config.id).meta()],
      [JSON.stringify(config), JSON.stringify(armIds), ...armIds]);
    return failure(reply) !== 'exists';
  }

  async experimentLife(id: string): Promise<string | null> {
    const json = await this.io(() => this.client.hget(this.keys(id).meta(), 'config'));
    return json === null ? null : lifeOf(JSON.parse(json) as ExperimentConfig);
  }

  async getExperiment(id: string): Promise<ExperimentState | null> {
    return decodeState(await this.io(() => this.client.hgetall(this.keys(id).meta())));
  }

  async listExperiments(): Promise<ExperimentState[]> {
    const ids = (await this.io(() => this.client.smembers(indexKey(this.prefix)))).sort();
    const metas = await Promise.all(ids.map((id) => this.io(() => this.client.hgetall(this.keys(id).meta()))));
    return metas.map(decodeState).filter((s): s is ExperimentState => s !== null);
  }

  async experimentIds(): Promise<string[]> {
    return (await this.io(() => this.client.smembers(indexKey(this.prefix)))).sort();
  }

  async updateExperiment(id: string, patch: ExperimentPatch): Promise<ExperimentState | null> {
    const pairs = Object.entries(patch).flatMap(([k, v]) => [k, v === undefined ? '' : JSON.stringify(v)]);
    const reply = await this.script('banditUpdateExperiment', [this.keys(id).meta()], pairs);
    return failure(reply) ? null : decodeState(pairsToRecord(reply as string[]));
  }

  async setArmState(id: string, armId: string, info: DisabledInfo | null): Promise<ExperimentState | null> {
    const reply = await this.script('banditSetArmState', [this.keys(id).meta()], [armId, info ? JSON.stringify(info) : '']);
    return failure(reply) ? null : decodeState(pairsToRecord(reply as string[]));
  }

  async getStats(id: string): Promise<ExperimentStats | null> {
    const k = this.keys(id);
    const [arms, tallies, linear] = await Promise.all([
      this.io(() => this.client.hget(k.meta(), 'arms')), this.io(() => this.client.hgetall(k.tallies())), this.io(() => this.client.hgetallBuffer(k.linearSums())),
    ]);
    return arms === null ? null : withLinear(decodeStats(JSON.parse(arms) as string[], tallies), linear);
  }

  async getGuardrailWindows(id: string): Promise<Record<string, GuardrailWindow>> {
    const k = this.keys(id);
    const arms = await this.io(() => this.client.hget(k.meta(), 'arms'));
    if (arms === null) return {};
    const armIds = JSON.parse(arms) as string[];
    // One MULTI (one slot): the events and the counters are read at the same instant.
    const results = await this.io(async () => {
      const tx = this.client.multi().hgetall(k.windows());
      for (const armId of armIds) tx.lrange(k.events(armId), 0, -1);
      const res = await tx.exec();
      if (!res) throw new Error('Redis aborted the transaction reading the guardrail windows');
      const failed = res.find(([err]) => err);
      if (failed) throw failed[0];
      return res.map(([, value]) => value);
    });
    const counters = results[0] as Record<string, string>;
    return nullProto(Object.fromEntries(armIds.map((armId, i) => [armId, decodeWindow(armId, results[i + 1] as string[], counters)])));
  }

  async assign(input: AssignInput): Promise<AssignResult> {
    const k = this.keys(input.experimentId);
    const { epoch, keyTtl } = stickyEpochs(input.now, input.stickyTtlSeconds);
    // Issue 23: fresh stats carry the linear sums too, read in the same pipeline as the script.
    const linear = input.withStats ? this.io(() => this.client.hgetallBuffer(k.linearSums())) : null;
    linear?.catch(() => undefined); // awaited below only when the script served; never an unhandled rejection
    const reply = await this.script('banditAssign',
      [k.meta(), k.tallies(), k.sticky(epoch + 1), k.sticky(epoch), k.sticky(epoch - 1), k.log(), k.due()],
      [input.version, input.armId, String(input.propensity), input.population, input.userId !== undefined ? stickyField(input.userId) : '',
        input.now, input.stickyTtlSeconds, keyTtl, input.withStats ? '1' : '0', input.sticky ? '1' : '0',
        input.log.nonce, input.userId ?? '', input.log.context ?? '', input.log.disabledArms, input.log.traceparent ?? '',
        this.trimNow(input.log.retentionSeconds),
        // default rewards (issue 11): ARGV[17..18] of assign.lua (it writes the member dueMember describes)
        input.defaultReward ? input.defaultReward.dueAt : '', input.defaultReward?.userKey ?? '',
        // the propensity vector (issue 9): ARGV[19]; excludedBy (issue 21): ARGV[20]
        input.log.propensities ?? '', input.log.excludedBy ?? '']);
    if (reply === -5 || reply === -6) return { kind: 'moved', population: reply === -5 ? 'b' : 'h' };
    const kind = failure(reply);
    if (kind === 'not_found' || kind === 'stale') return { kind };
    const [armId, propensity, stickyFlag, first, arms, tallies] = reply as [string, string, number, number, string?, string[]?];
    const served: AssignResult = { kind: 'served', armId, propensity: Number(propensity), sticky: stickyFlag === 1, firstExposure: first === 1 };
    if (arms !== undefined) served.stats = withLinear(decodeStats(JSON.parse(arms) as string[], pairsToRecord(tallies!)), (await linear) ?? {});
    return served;
  }

  async recordReward(input: RewardInput): Promise<RewardResult> {
    const k = this.keys(input.experimentId);
    const nowIso = new Date(input.nowMs).toISOString();
    const { bucket, keyTtl } = dedupeBucket(input.issuedAt, input.rewardWindowSeconds, input.nowMs / 1000);
    const g = input.guardrails;
    const opt = (x: number | undefined): string => (x === undefined ? '' : String(x));
    const wrapped = await this.script('banditReward',
      [k.meta(), k.tallies(), k.dedupe(bucket), k.events(input.armId), k.windows(), k.userSums(), k.log(), k.due(), k.defaulted(), k.metricSums(), k.detectors(), k.linearSums()],
      [input.armId, input.population, input.decisionKey, keyTtl, opt(input.reward),
        opt(input.event.latencyMs), opt(input.event.cost), input.event.error ? '1' : '0', input.windowSize,
        mayAutoDisable(g, input.baseline) ? '1' : '0', g?.minSamples ?? 0, opt(g?.latencyP95Ms), opt(g?.meanCost), opt(g?.errorRate),
        nowIso, input.version ?? '', input.userKey ?? '', Math.ceil((input.userSumsTtlSeconds ?? input.rewardWindowSeconds) + EXPIRY_MARGIN_SECONDS),
        input.issuedAt, String(input.log.propensity), input.log.metadata ?? '', this.trimNow(input.log.retentionSeconds),
        // engine sums (issue 11): ARGV[23..25] of reward.lua
        opt(input.engine?.halfLifeSeconds ?? undefined), input.engine?.costs ? '1' : '0', String(input.nowMs / 1000),
        // default rewards (issue 11): ARGV[26..28]
        input.defaults ? (input.defaults.apply ? '1' : input.defaults.late ? '2' : '0') : '',
        dueMember({ ...input, propensity: input.log.propensity }), input.issuedAt + input.rewardWindowSeconds,
        // metrics (issue 22): ARGV[29]
        metricSpec(input.metrics, input.windowSize, input.baseline),
        // hurdle sums (rewardShape hurdle-lognormal): ARGV[30]
        input.engine?.hurdle ? '1' : '0',
        // change detection (issue 24): ARGV[31]
        input.changes ? JSON.stringify({ m: input.changes.model, d: input.changes.delta, ps: input.changes.priorSum, pw: input.changes.priorWeight, t: input.issuedAt, n: input.nowMs / 1000 }) : '',
        // linear sums (issue 23): ARGV[32]
        linearSpec(input)]);
    const { reply, change } = changeOf(wrapped);
    const kind = failure(reply);
    if (kind === 'not_found' || kind === 'duplicate' || kind === 'stale' || kind === 'expired') return { kind };
    const found = change && { changeDetected: change };
    if (!Array.isArray(reply)) return { kind: 'accepted', ...found };
    const byMetric = metricDisabled(reply, nowIso);
    if (byMetric) return { kind: 'accepted', autoDisabled: byMetric, ...found };
    const [name, observed] = reply as [Breach['guardrail'], string];
    return { kind: 'accepted', autoDisabled: guardrailDisabled({ guardrail: name, observed: Number(observed), limit: g![name as GuardrailName]! }, nowIso), ...found };
  }

  recordSignal(input: SignalInput): Promise<SignalResult> {
    return recordSignal(this.keys(input.experimentId), (keys, args) => this.script('banditSignal', keys, args), input, this.trimNow(input.log.retentionSeconds));
  }

  async getMetricStats(id: string, names: readonly string[]): Promise<MetricStats | null> {
    const k = this.keys(id);
    const [arms, sums] = await Promise.all([this.io(() => this.client.hget(k.meta(), 'arms')), this.io(() => this.client.hgetallBuffer(k.metricSums()))]);
    return arms === null ? null : decodeMetricStats(JSON.parse(arms) as string[], names, sums);
  }

  async dueDefaultRewards(experimentId: string, now: number, limit: number): Promise<DueDefault[]> {
    const members = await this.io(() => this.client.zrangebyscore(this.keys(experimentId).due(), '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit));
    const out: DueDefault[] = [];
    for (let i = 0; i + 1 < members.length; i += 2) {
      const [decisionKey, population, issuedAt, armId, propensity, userKey] = members[i].split('|');
      out.push({
        decisionKey, armId, population: population as Population, issuedAt: Number(issuedAt), dueAt: Number(members[i + 1]), propensity: Number(propensity),
        ...(userKey && { userKey }),
      });
    }
    return out;
  }

  async writeHistoryPoint(experimentId: string, point: HistoryPoint, retentionSeconds: number): Promise<boolean> {
    const reply = await this.script('banditHistoryPoint', [this.keys(experimentId).history()],
      [point.ts, JSON.stringify(point), point.ts - retentionSeconds, retentionSeconds + EXPIRY_MARGIN_SECONDS]);
    return reply === 1;
  }

  async readHistory(experimentId: string, fromTs: number, toTs: number, limit?: number): Promise<HistoryPoint[]> {
    const members = await this.io(() => this.client.zrangebyscore(this.keys(experimentId).history(), fromTs, toTs, 'LIMIT', 0, limit ?? -1));
    return members.map((m) => JSON.parse(m) as HistoryPoint);
  }

  async lastHistoryPoint(experimentId: string, atOrBeforeTs: number): Promise<HistoryPoint | null> {
    const [member] = await this.io(() => this.client.zrevrangebyscore(this.keys(experimentId).history(), atOrBeforeTs, '-inf', 'LIMIT', 0, 1));
    return member === undefined ? null : (JSON.parse(member) as HistoryPoint);
  }
  createApiKey(key: ApiKeyRecord): Promise<void> { return this.apiKeys.create(key); }
  listApiKeys(): Promise<ApiKeyRecord[]> { return this.apiKeys.list(); }
  revokeApiKey(id: string): Promise<{ found: boolean; unconfirmed: number }> { return this.apiKeys.revoke(id); }
  touchApiKeys(lastUsed: Record<string, string>): Promise<void> { return this.apiKeys.touch(lastUsed); }
  apiKeysLastUsed(): Promise<Record<string, string>> { return this.apiKeys.lastUsed(); }
  apiKeysVersion(): Promise<number> { return this.apiKeys.currentVersion(); }
  watchApiKeys(onChange: () => Promise<void>): ApiKeyWatch { return this.apiKeys.watch(onChange); }

  readEvents(id: string, after: string | null, limit: number): Promise<StoredEvent[] | null> { return this.logReader.read(this.keys(id), after, limit); }
  readEventsOfType(id: string, type: StoredEvent['type'], after: string | null, limit: number): Promise<StoredEvent[] | null> {
    return this.logReader.readOfType(this.keys(id), type, after, limit);
  }
  advanceLogIndex(id: string): Promise<boolean> { return this.logReader.advanceIndex(this.keys(id)); }

  async claimLayerRange(layerId: string, claim: LayerClaim, nowMs: number, mode: ClaimMode): Promise<ClaimResult> {
    const reply = await this.script('banditClaimLayer', [layerKey(this.prefix, layerId)], [claim.experimentId, encodeClaim(claim), nowMs, mode]);
    if (reply === 'ok') return { kind: 'claimed' };
    const [id, text] = reply as [string, string];
    return { kind: 'conflict', with: decodeClaim(id, text) };
  }

  async releaseLayerRange(layerId: string, experimentId: string): Promise<void> {
    await this.io(() => this.client.hdel(layerKey(this.prefix, layerId), experimentId));
  }

  async readLayer(layerId: string): Promise<LayerClaim[]> {
    const all = await this.io(() => this.client.hgetall(layerKey(this.prefix, layerId)));
    return Object.entries(all).map(([id, text]) => decodeClaim(id, text)).sort((a, b) => a.range[0] - b.range[0]);
  }

  async getOrCreateSecret(candidate: string): Promise<string> {
    return (await this.script('banditSecret', [secretKey(this.prefix)], [candidate])) as string;
  }

  async ping(): Promise<void> {
    await this.io(() => this.client.ping());
  }

  async close(): Promise<void> {
    this.apiKeys.close();
    await this.logReader.close();
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }

  /**
   * The event log's trim argument: the retention at most once a second per store instance, '' (no
   * trim) otherwise. Trimming on every append cost 0.7 µs of Redis time per call; once a second
   * keeps the log within a second (and one stream node) of its retention.
   */
  private trimNow(retentionSeconds: number): number | '' {
    const now = Date.now();
    if (now - this.lastTrimAt < 1000) return '';
    this.lastTrimAt = now;
    return retentionSeconds;
  }

  /** Runs one script (one round trip). */
  protected script(name: ScriptName, keys: string[], args: ScriptArg[]): Promise<unknown> {
    const fn = (this.client as unknown as Record<ScriptName, (...a: ScriptArg[]) => Promise<unknown>>)[name];
    return this.io(() => fn.call(this.client, ...keys, ...args));
  }

  /**
   * Runs one exchange with Redis: connection errors, timeouts and transient server states become
   * StoreUnavailableError; other errors (a script or data bug) pass through. A connection on which
   * nothing has been answered for a while (a hung server, a half-open TCP connection) is dropped,
   * so the client redials instead of timing out forever.
   */
  protected async io<T>(exchange: () => Promise<T>): Promise<T> {
    try {
      const result = await exchange();
      this.lastAnswerAt = Date.now();
      return result;
    } catch (err) {
      if (!isUnavailable(err)) {
        this.lastAnswerAt = Date.now(); // Redis did answer, with an error
        throw err;
      }
      if ((err as Error).message === 'Command timed out' && Date.now() - this.lastAnswerAt > this.staleAfterMs) {
        this.lastAnswerAt = Date.now();
        this.client.disconnect(true);
      }
      throw new StoreUnavailableError(`Redis unavailable: ${(err as Error).message}`, { cause: err });
    }
  }
}

function pairsToRecord(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]] = flat[i + 1];
  return out;
}

/** The meta hash as an ExperimentState: the config with its patches laid over, disabled arms, version. */
function decodeState(meta: Record<string, string>): ExperimentState | null {
  if (meta.config === undefined) return null;
  const config = JSON.parse(meta.config) as ExperimentConfig & Record<string, unknown>;
  const disabled = nullProto<DisabledInfo>();
  for (const [field, value] of Object.entries(meta)) {
    if (field.startsWith('p:')) config[field.slice(2)] = value === '' ? undefined : JSON.parse(value);
    else if (field.startsWith('d:')) disabled[field.slice(2)] = decodeDisabled(JSON.parse(value) as DisabledInfo);
  }
  return { config, disabled, version: Number(meta.v) };
}

/** reward.lua writes guardrail disables without `reason`: it is a function of the breach. */
function decodeDisabled(info: DisabledInfo): DisabledInfo {
  if (info.reason !== undefined || !info.guardrail) return info;
  return { source: info.source, reason: breachReason(info.guardrail), at: info.at, guardrail: info.guardrail };
}

function decodeStats(armIds: string[], tallies: Record<string, string>): ExperimentStats {
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

/** A decision's member of the due set (arm ids have no '|'): what assign.lua writes and reward.lua removes when a reward is recorded. */
const dueMember = (d: { decisionKey: string; population: Population; issuedAt: number; armId: string; propensity: number; userKey?: string }): string =>
  `${d.decisionKey}|${d.population}|${d.issuedAt}|${d.armId}|${d.propensity}|${d.userKey ?? ''}`;

/** reward.lua's engine-sum fields of one arm and population, when it has any (see its header). */
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

function decodeWindow(armId: string, events: string[], counters: Record<string, string>): GuardrailWindow {
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
