/**
 * The production store: Redis (or Redis Cluster), shared by every replica.
 *
 * Each write path is one Lua script from `lua/` (EVALSHA, falling back to EVAL), so it is atomic
 * and costs one round trip; reads are plain commands. The scripts are loaded, and their failure
 * codes mapped, in `redis-scripts.ts`; their packed arguments are built in `redis-script-args.ts`;
 * the steps of each aggregate live beside this class (redis-rewards.ts: decisions and rewards,
 * redis-signals.ts, redis-experiments.ts, redis-tallies.ts). Connection loss and timeouts
 * surface as StoreUnavailableError; anything else (a script or data bug) is rethrown as is.
 * Keys are built in `redis-keys.ts`; the client is built in `redis-connect.ts`.
 */
import { lifeOf } from '../contract/experiment-config.js';
import type { Cluster, Redis } from 'ioredis';
import { nullProto } from './null-proto.js';
import { decodeMetricStats, recordSignal } from './redis-signals.js';
import type { MetricStats } from '../contract/metrics.js';
import { RedisApiKeys } from './redis-api-keys.js';
import type { StoredEvent } from '../contract/event-log.js';
import { RedisLogReader } from './redis-log-reader.js';
import { withLinear } from './redis-linear.js';
import { decodeClaim, encodeClaim, type ClaimMode, type ClaimResult, type LayerClaim } from './layer-claims.js';
import { EXPIRY_MARGIN_SECONDS, ExperimentKeys, checkPrefix, indexKey, layerKey, parseDueMember, secretKey } from './redis-keys.js';
import { defineScripts, failure, readLua, type ScriptName } from './redis-scripts.js';
import { patchArgs } from './redis-script-args.js';
import { assign, recordReward } from './redis-rewards.js';
import { decodeState } from './redis-experiments.js';
import { decodeStats, decodeWindow, pairsToRecord } from './redis-tallies.js';
import { StoreUnavailableError, type ApiKeyWatch, type AssignInput, type AssignResult, type DueDefault, type ExperimentPatch, type RewardInput, type RewardResult, type SignalInput, type SignalResult, type Store } from './store.js';
import type { ApiKeyRecord, DisabledInfo, ExperimentConfig, ExperimentState, ExperimentStats, GuardrailWindow, HistoryPoint } from '../contract/domain.js';

/** Re-exported for the tests and benchmarks that load a script's text. */
export { readLua, rewardScript } from './redis-scripts.js';

export type RedisClient = Redis | Cluster;

export interface RedisStoreOptions {
  /** Namespace of every key (no braces), e.g. 'bandit:'. */
  prefix: string;
  /** The client's command timeout; a connection that answers nothing for 8x this (>= 2 s) is dropped and redialled. */
  commandTimeoutMs?: number;
}

/** Replies that mean "not now" (server loading, failing over, out of memory), not "wrong". */
const TRANSIENT_REPLY = /^(LOADING|BUSY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|NOREPLICAS|OOM|MOVED|ASK)\b/;

/** True for connection loss, timeouts and transient server states; false for bugs. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ReplyError') return TRANSIENT_REPLY.test(err.message);
  return !(err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError || err instanceof ReferenceError);
}

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
    defineScripts(client);
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
      [JSON.stringify(config), JSON.stringify(armIds)]);
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
    const reply = await this.script('banditUpdateExperiment', [this.keys(id).meta()], [patchArgs(patch)]);
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

  assign(input: AssignInput): Promise<AssignResult> {
    const k = this.keys(input.experimentId);
    // Issue 23: fresh stats carry the linear sums too, read in the same pipeline as the script.
    const linear = input.withStats ? this.io(() => this.client.hgetallBuffer(k.linearSums())) : null;
    linear?.catch(() => undefined); // awaited only when the script served; never an unhandled rejection
    return assign(k, (keys, args) => this.script('banditAssign', keys, args), input, this.trimNow(input.log.retentionSeconds), linear);
  }

  recordReward(input: RewardInput): Promise<RewardResult> {
    return recordReward(this.keys(input.experimentId), (keys, args) => this.script('banditReward', keys, args), input, this.trimNow(input.log.retentionSeconds));
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
    for (let i = 0; i + 1 < members.length; i += 2) out.push({ ...parseDueMember(members[i]), dueAt: Number(members[i + 1]) });
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
   * The event log's trim argument: the retention at most once a second per store instance, undefined
   * (no trim) otherwise. Trimming on every append cost 0.7 µs of Redis time per call; once a second
   * keeps the log within a second (and one stream node) of its retention.
   */
  private trimNow(retentionSeconds: number): number | undefined {
    const now = Date.now();
    if (now - this.lastTrimAt < 1000) return undefined;
    this.lastTrimAt = now;
    return retentionSeconds;
  }

  /** Runs one script (one round trip). */
  protected script(name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
    const fn = (this.client as unknown as Record<ScriptName, (...a: (string | number)[]) => Promise<unknown>>)[name];
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

