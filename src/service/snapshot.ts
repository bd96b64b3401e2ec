/**
 * What a replica keeps of an experiment between requests: its state (config, disabled arms,
 * version), the tallies at most one second old, and what is derived from them once per refresh:
 * the posteriors, and the policy's model (one opaque value per refresh, `Policy.prepare`; the
 * snapshot knows no policy by name).
 *
 * A change made on any replica bumps the version in the store; `assign` refuses a decision made
 * with an old version ("stale"), so the next request reloads: a disabled arm is never served again.
 */
import { targetingPredicate } from '../assignment/eligibility.js';
import type { Predicate } from '../contract/condition.js';
import { lifeTag } from '../assignment/decision-token.js';
import { lifeOf } from '../contract/experiment-config.js';
import { posteriorFor, type Posterior } from '../bandit/posterior.js';
import { encodePropensities } from '../contract/event-log.js';
import type { ExperimentStore, Ledger } from '../store/store.js';
import type { ExperimentConfig, ExperimentState, ExperimentStats, Tally } from '../contract/domain.js';
import { engineFor, evidenceAt, type Engine } from '../bandit/engine-evidence.js';
import { evidenceSums } from '../bandit/change-evidence.js';
import type { Metrics } from '../observability/metrics.js';

/** How old the cached tallies (and so the posteriors and propensities) may be. */
export const STATS_MAX_AGE_MS = 1000;

export class Snapshot {
  readonly config: ExperimentConfig;
  readonly armIds: string[];
  readonly baselineIndex: number;
  /** Arms that may be served: enabled ones. */
  readonly eligible: boolean[];
  /** Some arm other than the baseline is eligible (otherwise every request is excluded). */
  readonly hasBanditArm: boolean;
  /** `config.endsAt` in epoch milliseconds, parsed once (null: no end). */
  readonly endsAtMs: number | null;
  /** `config.startsAt` in epoch milliseconds (null: no start date). */
  readonly startsAtMs: number | null;
  /** The targeting condition, compiled once (null: every request). */
  readonly targeting: Predicate | null;
  /** Which life of the experiment this is (lifeOf), and its tag, stamped on each decision's nonce (assignment/decision-token.ts). */
  readonly life: string;
  readonly lifeTag: Buffer;
  /**
   * The reward posteriors of the cached tallies (discounted to the refresh time with a half-life),
   * one per arm. A new array at every refresh, never changed in place; without a discount the
   * posterior of an arm whose bandit sums did not change is carried over. (A decision's propensity
   * comes from the policy's `model` it chose with, which is also replaced, never changed, per refresh.)
   */
  posteriors!: readonly Posterior[];
  /** The bandit-population tallies of the cached stats, one per arm. */
  banditTallies!: readonly Tally[];
  stats!: ExperimentStats;
  statsAt = 0;
  /** The policy (with its floor) and the settings it reads, from the config. */
  readonly engine: Engine;
  /** The policy's model of the cached tallies (discounted to `statsAt` when the experiment has a half-life). */
  model: unknown;
  /** propensityVector's memo: the encoded vector of one model. */
  private vector: { model: unknown; text: string } | null = null;

  constructor(readonly state: ExperimentState, stats: ExperimentStats, now: number) {
    this.config = state.config;
    this.armIds = this.config.arms.map((a) => a.id);
    this.baselineIndex = this.armIds.indexOf(this.config.baselineArmId);
    this.eligible = this.armIds.map((a) => !state.disabled[a]);
    this.hasBanditArm = this.eligible.some((e, i) => e && i !== this.baselineIndex);
    this.endsAtMs = this.config.endsAt === null ? null : Date.parse(this.config.endsAt);
    this.engine = engineFor(this.config);
    this.startsAtMs = this.config.startsAt ? Date.parse(this.config.startsAt) : null;
    this.targeting = targetingPredicate(this.config.targeting);
    this.life = lifeOf(this.config);
    this.lifeTag = lifeTag(this.config.id, this.life);
    this.setStats(stats, now);
  }

  get version(): number {
    return this.state.version;
  }

  setStats(stats: ExperimentStats, now: number): void {
    const prev = this.posteriors;
    const prevTallies = this.banditTallies;
    const n = stats.arms.length;
    const posteriors = new Array<Posterior>(n);
    const tallies = new Array<Tally>(n);
    const { engine } = this;
    const evidence = stats.arms.map((a) => evidenceAt(engine, a.bandit, now / 1000, a.linear, a.linearBefore));
    for (let i = 0; i < n; i++) {
      const t = stats.arms[i].bandit;
      tallies[i] = t;
      posteriors[i] = engine.halfLifeSeconds === null && prev !== undefined && sameSums(prevTallies[i], t)
        ? prev[i] : posteriorFor(this.config.rewardModel, this.config.prior, evidence[i], this.config.rewardBounds);
    }
    this.stats = stats;
    this.statsAt = now;
    this.posteriors = posteriors;
    this.banditTallies = tallies;
    this.model = engine.policy.prepare(evidence, engine.settings);
  }

  /**
   * Past half the limit, the next decision asks `assign` for fresh tallies in the same round
   * trip; past the limit (an experiment left idle), they are reloaded before deciding. So no
   * decision, and no propensity, uses a posterior more than STATS_MAX_AGE_MS old.
   */
  statsRefresh(now: number): 'none' | 'with-assign' | 'before-deciding' {
    const age = now - this.statsAt;
    return age >= STATS_MAX_AGE_MS ? 'before-deciding' : age >= STATS_MAX_AGE_MS / 2 ? 'with-assign' : 'none';
  }

  /** Every arm's propensity under the current model (0 for a disabled arm), floor included. */
  propensities(model: unknown = this.model): number[] {
    return this.armIds.map((_, i) => this.engine.policy.propensity(model, this.eligible, i, undefined));
  }

  /**
   * The decision event's `propensities` (contract/event-log.ts encodePropensities) under `model`: encoded once
   * per refresh, so a decision pays nothing for it (Thompson's P(best) of every arm is computed for
   * the chosen arm's propensity anyway).
   */
  propensityVector(model: unknown): string {
    if (this.vector !== null && this.vector.model === model) return this.vector.text;
    const text = encodePropensities(this.propensities(model));
    this.vector = { model, text };
    return text;
  }
}

/** Same reward count and sums: the posterior is the same. */
function sameSums(a: Tally, b: Tally): boolean {
  return a.rewards === b.rewards && a.sum === b.sum && a.sumSq === b.sumSq && a.beforeChange?.rewards === b.beforeChange?.rewards && a.beforeChange?.sum === b.beforeChange?.sum;
}

/** The reward posterior of an undiscounted tally (the report's): since the arm's last detected change with change detection. */
export function posteriorOf(config: ExperimentConfig, t: Tally): Posterior {
  return posteriorFor(config.rewardModel, config.prior, config.changeDetection ? evidenceSums(t) : t, config.rewardBounds);
}

/** Snapshots by experiment id. Also keeps the last one seen, for the fallback when the store is down. */
export class SnapshotCache {
  private readonly byId = new Map<string, Snapshot>();

  constructor(private readonly store: ExperimentStore & Ledger, private readonly metrics?: Metrics) {}

  /** The cached snapshot, loading it when absent. Null when the experiment does not exist. */
  async get(id: string, now: number): Promise<Snapshot | null> {
    return this.byId.get(id) ?? this.load(id, now);
  }

  /**
   * `get`, with the cached snapshot's life confirmed first on a store that can lose its data behind
   * this process (Redis: `experimentLife`, one read): a snapshot of an earlier life (the experiment
   * lost and created again at the same version) is replaced, so none of its decisions counts.
   */
  async getConfirmed(id: string, now: number): Promise<Snapshot | null> {
    const cached = this.byId.get(id);
    if (!cached || !this.store.experimentLife) return this.get(id, now);
    const life = await this.store.experimentLife(id);
    if (life === null) {
      this.byId.delete(id);
      return null;
    }
    return life === cached.life ? cached : this.load(id, now);
  }

  async load(id: string, now: number): Promise<Snapshot | null> {
    const [state, stats] = await Promise.all([this.store.getExperiment(id), this.store.getStats(id)]);
    if (!state || !stats) {
      this.byId.delete(id);
      return null;
    }
    this.metrics?.snapshotReload(id); // only for experiments that exist: an unknown id is never a label
    const snap = new Snapshot(state, stats, now);
    this.byId.set(id, snap);
    return snap;
  }

  /** The last snapshot seen, however old (used only to answer with the baseline when the store is down). */
  lastKnown(id: string): Snapshot | undefined {
    return this.byId.get(id);
  }

  /** Replaces the state (after a change made through this replica) keeping the tallies. */
  putState(state: ExperimentState): void {
    const prev = this.byId.get(state.config.id);
    if (prev && prev.version > state.version) return;
    if (prev) this.byId.set(state.config.id, new Snapshot(state, prev.stats, prev.statsAt));
    else this.byId.delete(state.config.id);
  }

  invalidate(id: string): void {
    this.byId.delete(id);
  }
}
