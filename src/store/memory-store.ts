/**
 * The embedded store: one process, no dependencies. Each method is one synchronous block, so it is
 * atomic the way each Lua script is in Redis, and it follows those scripts branch for branch.
 */
import { randomUUID } from 'node:crypto';
import { addEngineSums } from './engine-sums.js';
import { linearAfterReward, linearBeforeAfterReward } from './linear-sums.js';
import { recordInMemory } from './change-step.js';
import { MemoryDefaults } from './memory-defaults.js';
import { autoDisable, countAtOrBelow, guardrailDisabled, type Breach } from '../bandit/guardrails.js';
import type { MetricStats } from '../contract/metrics.js';
import { metricsJson } from './signals.js';
import { MemoryApiKeys } from './memory-api-keys.js';
import { MemoryHistory } from './memory-history.js';
import { EXPIRY_MARGIN_SECONDS } from './redis-keys.js';
import { nullProto } from './null-proto.js';
import type { StoredEvent } from '../contract/event-log.js';
import { MemoryLayers, type ClaimMode, type ClaimResult, type LayerClaim } from './layer-claims.js';
import type { ApiKeyWatch, AssignInput, AssignResult, DueDefault, ExperimentPatch, RewardInput, RewardResult, SignalInput, SignalResult, Store } from './store.js';
import { cloneState, newExperimentData, pushEvent, statsOf, sweepForever, type ExperimentData } from './memory-experiment.js';
import type { ApiKeyRecord, DetectedChange, DisabledInfo, ExperimentConfig, ExperimentState, ExperimentStats, GuardrailWindow, HistoryPoint } from '../contract/domain.js';

/** 140-340 B per user (12- to 36-character ids), so at most 65-160 MiB per experiment (bench/RESULTS.md, "Sticky users on the embedded store"). */
export const DEFAULT_STICKY_MAX_USERS = 500_000;

export class MemoryStore implements Store {
  private readonly experiments = new Map<string, ExperimentData>();
  private secret: string | null = null;
  private readonly history = new MemoryHistory();
  private sweepNow = 0;
  private readonly sweeper = sweepForever(this.experiments, () => this.sweepNow);
  private readonly apiKeys = new MemoryApiKeys();
  private readonly defaults = new MemoryDefaults();
  private readonly layers = new MemoryLayers();

  /**
   * @param stickyMaxUsers sticky users kept per experiment, least recently served forgotten first (STICKY_MAX_USERS).
   * @param maxEvents the most events each experiment's log keeps (the oldest go first).
   */
  constructor(private readonly stickyMaxUsers = DEFAULT_STICKY_MAX_USERS, private readonly maxEvents?: number) {}

  async createExperiment(config: ExperimentConfig): Promise<boolean> {
    if (this.experiments.has(config.id)) return false;
    this.experiments.set(config.id, newExperimentData(config, this.stickyMaxUsers, this.maxEvents));
    return true;
  }

  async getExperiment(id: string): Promise<ExperimentState | null> {
    const e = this.experiments.get(id);
    return e ? cloneState(e.state) : null;
  }

  async listExperiments(): Promise<ExperimentState[]> {
    return [...this.experiments.keys()].sort().map((id) => cloneState(this.experiments.get(id)!.state));
  }

  async experimentIds(): Promise<string[]> {
    return [...this.experiments.keys()].sort();
  }

  async updateExperiment(id: string, patch: ExperimentPatch): Promise<ExperimentState | null> {
    const e = this.experiments.get(id);
    if (!e) return null;
    e.state.config = { ...e.state.config, ...structuredClone(patch) };
    e.state.version += 1;
    return cloneState(e.state);
  }

  async setArmState(id: string, armId: string, info: DisabledInfo | null): Promise<ExperimentState | null> {
    const e = this.experiments.get(id);
    if (!e) return null;
    if (info) e.state.disabled[armId] = structuredClone(info);
    else delete e.state.disabled[armId];
    e.state.version += 1;
    return cloneState(e.state);
  }

  async getStats(id: string): Promise<ExperimentStats | null> {
    const e = this.experiments.get(id);
    return e ? statsOf(e) : null;
  }

  async getGuardrailWindows(id: string): Promise<Record<string, GuardrailWindow>> {
    const e = this.experiments.get(id);
    const out = nullProto<GuardrailWindow>();
    for (const [armId, d] of e?.arms ?? []) out[armId] = { ...d.window, latencies: [...d.window.latencies] };
    return out;
  }

  async assign(input: AssignInput): Promise<AssignResult> {
    const e = this.experiments.get(input.experimentId);
    if (!e) return { kind: 'not_found' };
    const { state } = e;
    if (state.version !== input.version || state.disabled[input.armId] || !e.arms.has(input.armId)) return { kind: 'stale' };
    this.maybeSweep(input.now);
    let served: AssignResult = { kind: 'served', armId: input.armId, propensity: input.propensity, sticky: false, firstExposure: true };
    // The user record (mirrors assign.lua's block of the same name).
    if (input.userId !== undefined) {
      const pop = input.population;
      const live = e.sticky.get(input.userId);
      const prev = live && live.expiresAt > input.now ? live : undefined;
      let write = true;
      if (prev && pop === 'x') {
        served.firstExposure = false;
        write = false;
      } else if (prev && prev.population !== 'x') {
        if (prev.population !== pop) return { kind: 'moved', population: prev.population as 'b' | 'h' };
        served.firstExposure = false;
        write = false;
        if (pop === 'b' && input.sticky) {
          if (!state.disabled[prev.armId]) served = { ...served, armId: prev.armId, propensity: prev.propensity, sticky: true };
          else write = true; // the sticky arm was disabled: the replacement becomes the user's arm
        }
      }
      if (write) {
        e.sticky.set(input.userId, {
          armId: input.armId, propensity: input.propensity, assignedAt: input.now, population: pop,
          expiresAt: input.now + input.stickyTtlSeconds,
        });
      }
    }
    const tally = e.arms.get(served.armId)![input.population];
    tally.decisions += 1;
    if (served.firstExposure) tally.users += 1;
    // Event log: the decision, in the same step that counts it (assign.lua's XADD block).
    e.log.appendDecision(input, served.armId, served.propensity, served.firstExposure, served.sticky);
    // Default reward (issue 11): on the due set in the same step (assign.lua's block of the same name).
    if (input.defaultReward) {
      const { dueAt, userKey } = input.defaultReward;
      this.defaults.schedule(input.experimentId, {
        decisionKey: input.log.nonce, armId: served.armId, population: input.population, issuedAt: input.now, dueAt, propensity: served.propensity,
        ...(userKey !== undefined && { userKey }),
      });
    }
    if (input.withStats) served.stats = statsOf(e);
    return served;
  }

  async recordReward(input: RewardInput): Promise<RewardResult> {
    const found: { change?: DetectedChange } = {};
    const res = this.rewardStep(input, found);
    return res.kind === 'accepted' && found.change ? { ...res, changeDetected: found.change } : res;
  }

  /** The reward step, one synchronous block; `found.change`: the change it detected (issue 24). */
  private rewardStep(input: RewardInput, found: { change?: DetectedChange }): RewardResult {
    const e = this.experiments.get(input.experimentId);
    const arm = e?.arms.get(input.armId);
    if (!e || !arm) return { kind: 'not_found' };
    if (input.version !== undefined && e.state.version !== input.version) return { kind: 'stale' };
    this.maybeSweep(Math.floor(input.nowMs / 1000));
    const nowS = Math.floor(input.nowMs / 1000);
    // Default rewards (issue 11): a reward after the default was applied is expired.
    if (input.defaults && !input.defaults.apply && this.defaults.isDefaulted(input.experimentId, input.decisionKey)) return { kind: 'expired' };
    if (e.dedupe.has(input.decisionKey)) return { kind: 'duplicate' };
    if (input.defaults?.late) return { kind: 'expired' };
    e.dedupe.set(input.decisionKey, input.issuedAt + input.rewardWindowSeconds);
    if (input.defaults) this.defaults.settle(input.experimentId, input.decisionKey, input.defaults.apply, input.issuedAt + input.rewardWindowSeconds, nowS);

    if (input.reward !== undefined) {
      const t = arm[input.population];
      t.rewards += 1;
      t.sum += input.reward;
      t.sumSq += input.reward * input.reward;
    }
    // Change detection (issue 24): the arm's GLR test, after the tally (change-step.ts; reward.lua's changes.lua call).
    const step = input.changes && input.reward !== undefined ? recordInMemory(e.arms, input.armId, input.changes, input, input.reward) : undefined;
    if (step?.detected) found.change = step.detected;
    // Per-user sums (mirrors reward.lua's block of the same name).
    if (input.reward !== undefined && input.population !== 'x') {
      const r = input.reward;
      let s = 0;
      let n = 0;
      if (input.userKey !== undefined) {
        const now = Math.floor(input.nowMs / 1000);
        if (now >= e.userSumsUntil) e.userSums.clear();
        e.userSumsUntil = now + Math.ceil((input.userSumsTtlSeconds ?? input.rewardWindowSeconds) + EXPIRY_MARGIN_SECONDS); // as reward.lua's EXPIRE
        const key = input.population + input.userKey;
        const prev = e.userSums.get(key);
        if (prev) ({ s, n } = prev);
        e.userSums.set(key, { s: s + r, n: n + 1 });
      }
      const u = e.users[input.population];
      u.sumSq = u.sumSq + (2 * s * r + r * r);
      u.countSq = u.countSq + (2 * n + 1);
      u.cross = u.cross + (s + r * n + r);
    }
    // Engine sums (issue 11): costs and discounted sums, as reward.lua's block of the same name.
    if (input.engine) {
      const t = arm[input.population];
      const engine = addEngineSums(t.engine, input.engine, input.nowMs / 1000, input.reward, input.event.cost);
      if (engine) t.engine = engine;
    }
    // Linear sums (issue 23), as reward.lua's call of linear.lua.
    arm.linearBefore = linearBeforeAfterReward(arm.linear, arm.linearBefore, step, input);
    arm.linear = linearAfterReward(arm.linear, input) ?? arm.linear;
    // Metrics sent with the reward (issue 22): counted in this step, each once per decision and name (reward.lua's block).
    const metrics = input.metrics ? e.metrics.record(e.dedupe, input, input.metrics, input.userKey) : null;
    // A default reward (issue 11) is counted and logged, but it is no event of the arm's guardrail window.
    const applyDefault = input.defaults?.apply === true;
    const limit = input.guardrails?.latencyP95Ms;
    if (!applyDefault && arm.countedFor !== limit) {
      arm.countedFor = limit;
      arm.atOrBelow = limit === undefined ? 0 : countAtOrBelow(arm.window.latencies, limit);
    }
    if (!applyDefault) pushEvent(arm, input.event, input.windowSize);
    // Event log: the accepted reward, in the same step that counts it (reward.lua's XADD block).
    e.log.appendReward(input, metricsJson(metrics?.counted));
    if (applyDefault) return { kind: 'accepted' };
    const byMetric = metrics && this.metricDisable(e, input, metrics.breach);
    if (byMetric) return { kind: 'accepted', autoDisabled: byMetric };

    const info = autoDisable(arm.window, input.guardrails, { baseline: input.baseline, disabled: Boolean(e.state.disabled[input.armId]) }, input.nowMs, arm.atOrBelow);
    if (!info) return { kind: 'accepted' };
    e.state.disabled[input.armId] = info;
    e.state.version += 1;
    return { kind: 'accepted', autoDisabled: structuredClone(info) };
  }

  async recordSignal(input: SignalInput): Promise<SignalResult> {
    const e = this.experiments.get(input.experimentId);
    if (!e || !e.arms.has(input.armId)) return { kind: 'not_found' };
    if (input.version !== undefined && e.state.version !== input.version) return { kind: 'stale' };
    this.maybeSweep(Math.floor(input.nowMs / 1000));
    const { counted, breach } = e.metrics.record(e.dedupe, input, [input.metric], input.log.userKey);
    if (counted.length === 0) return { kind: 'duplicate' };
    e.log.appendSignal(input);
    const info = this.metricDisable(e, input, breach);
    return info ? { kind: 'accepted', autoDisabled: info } : { kind: 'accepted' };
  }

  async getMetricStats(id: string, names: readonly string[]): Promise<MetricStats | null> {
    const e = this.experiments.get(id);
    if (!e) return null;
    const armIds = e.state.config.arms.map((a) => a.id);
    return nullProto(Object.fromEntries(names.map((n) => [n, e.metrics.stats(armIds, n)])));
  }

  /** A metric guardrail's breach disables the arm as the built-in ones do: never the baseline, never an arm already disabled. */
  private metricDisable(e: ExperimentData, input: { armId: string; baseline: boolean; nowMs: number }, breach: Breach | null): DisabledInfo | null {
    if (!breach || input.baseline || e.state.disabled[input.armId]) return null;
    const info = guardrailDisabled(breach, new Date(input.nowMs).toISOString());
    e.state.disabled[input.armId] = info;
    e.state.version += 1;
    return structuredClone(info);
  }

  async dueDefaultRewards(experimentId: string, now: number, limit: number): Promise<DueDefault[]> {
    return this.defaults.due(experimentId, now, limit);
  }

  async writeHistoryPoint(experimentId: string, point: HistoryPoint, retentionSeconds: number): Promise<boolean> {
    return this.history.write(experimentId, point, retentionSeconds);
  }
  async readHistory(experimentId: string, fromTs: number, toTs: number, limit?: number): Promise<HistoryPoint[]> {
    return this.history.read(experimentId, fromTs, toTs, limit);
  }
  async lastHistoryPoint(experimentId: string, atOrBeforeTs: number): Promise<HistoryPoint | null> {
    return this.history.last(experimentId, atOrBeforeTs);
  }
  createApiKey(key: ApiKeyRecord): Promise<void> { return this.apiKeys.create(key); }
  listApiKeys(): Promise<ApiKeyRecord[]> { return this.apiKeys.list(); }
  revokeApiKey(id: string): Promise<{ found: boolean; unconfirmed: number }> { return this.apiKeys.revoke(id); }
  touchApiKeys(lastUsed: Record<string, string>): Promise<void> { return this.apiKeys.touch(lastUsed); }
  apiKeysLastUsed(): Promise<Record<string, string>> { return this.apiKeys.lastUsed(); }
  apiKeysVersion(): Promise<number> { return this.apiKeys.currentVersion(); }
  watchApiKeys(onChange: () => Promise<void>): ApiKeyWatch { return this.apiKeys.watch(onChange); }
  async readEvents(id: string, after: string | null, limit: number): Promise<StoredEvent[] | null> {
    return this.experiments.get(id)?.log.read(after, limit) ?? null;
  }

  async claimLayerRange(layerId: string, claim: LayerClaim, nowMs: number, mode: ClaimMode): Promise<ClaimResult> { return this.layers.claim(layerId, claim, nowMs, mode); }
  async releaseLayerRange(layerId: string, experimentId: string): Promise<void> { this.layers.release(layerId, experimentId); }
  async readLayer(layerId: string): Promise<LayerClaim[]> { return this.layers.read(layerId); }
  async readEventsOfType(id: string, type: StoredEvent['type'], after: string | null, limit: number): Promise<StoredEvent[] | null> {
    return this.experiments.get(id)?.log.read(after, limit, type) ?? null;
  }

  async getOrCreateSecret(candidate: string): Promise<string> {
    this.secret ??= candidate;
    return this.secret;
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {}

  /** Forgets expired sticky assignments and dedupe entries (the Redis store lets keys expire), a few per write. */
  private maybeSweep(now: number): void {
    this.sweepNow = now;
    this.sweeper.next();
  }
}

/** A fresh random secret, for when none is configured. */
export const randomSecret = (): string => randomUUID() + randomUUID();
