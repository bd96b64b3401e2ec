/**
 * The durable embedded store: one SQLite database in DATA_DIR (better-sqlite3, synchronous), the
 * default when REDIS_URL is unset. Every ledger step is one transaction (sqlite-assign.ts,
 * sqlite-reward.ts, ...), and follows the Lua scripts and the memory store branch for branch; the
 * contract suite runs unchanged against it.
 *
 * Ledger steps (assign, recordReward) arriving in one turn of the event loop share one commit
 * (sqlite-group-commit.ts); each is answered only after it. One SqliteStore per database file: a
 * second instance in the same thread would wait on the first one's open group.
 *
 * Durability: WAL with synchronous=NORMAL. A committed transaction is in the WAL file before the
 * call returns, so a killed process (SIGKILL, OOM) loses nothing it answered; a power loss or an
 * OS crash can lose the transactions committed since the last WAL sync (at each checkpoint).
 *
 * A full or read-only disk, an I/O error or a lock held too long by another process surfaces as
 * StoreUnavailableError (503 store_unavailable); the transaction is rolled back, nothing is half
 * written.
 */
import type Database from 'better-sqlite3';
import type { StoredEvent } from '../contract/event-log.js';
import { SqliteAssign } from './sqlite-assign.js';
import { SqliteDefaults } from './sqlite-defaults.js';
import { SqliteEvents } from './sqlite-events.js';
import { SqliteExperiments } from './sqlite-experiments.js';
import { GroupCommit } from './sqlite-group-commit.js';
import { SqliteHistory } from './sqlite-history.js';
import { SqliteKeys } from './sqlite-keys.js';
import { SqliteReward } from './sqlite-reward.js';
import { SqliteMetrics } from './sqlite-metrics.js';
import { SqliteUserSums } from './sqlite-user-sums.js';
import type { MetricStats } from '../contract/metrics.js';
import { openDatabase } from './sqlite-schema.js';
import type { ClaimMode, ClaimResult, LayerClaim } from './layer-claims.js';
import { SqliteLayers } from './sqlite-layers.js';
import { SqliteSweep } from './sqlite-sweep.js';
import { SqliteTallies } from './sqlite-tallies.js';
import { SqliteWindow } from './sqlite-window.js';
import { nullProto } from './null-proto.js';
import { StoreUnavailableError, type ApiKeyWatch, type AssignInput, type AssignResult, type DueDefault, type ExperimentPatch, type RewardInput, type RewardResult, type SignalInput, type SignalResult, type Store } from './store.js';
import { type ApiKeyRecord, type DisabledInfo, type ExperimentConfig, type ExperimentState, type ExperimentStats, type GuardrailWindow, type HistoryPoint } from '../contract/domain.js';

/** SQLite result codes that mean "the disk or the file cannot take this now", not "wrong": 503, never 500. */
const UNAVAILABLE = /^SQLITE_(FULL|READONLY|IOERR|BUSY|LOCKED|CANTOPEN|NOMEM|CORRUPT|NOTADB|PROTOCOL)/;

export function isSqliteUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && UNAVAILABLE.test(code);
}

/** How long a write waits for another process's lock once serving (the event loop waits with it). */
const SERVING_BUSY_TIMEOUT_MS = 250;
/** What /ready writes after a failure: more than a ledger step with the largest context and metadata. */
const PROBE_BYTES = 128 * 1024;

export class SqliteStore implements Store {
  private readonly experiments: SqliteExperiments;
  private readonly tallies: SqliteTallies;
  private readonly window: SqliteWindow;
  private readonly events: SqliteEvents;
  private readonly defaults: SqliteDefaults;
  private readonly assignStep: SqliteAssign;
  private readonly rewardStep: SqliteReward;
  private readonly metrics: SqliteMetrics;
  private readonly history: SqliteHistory;
  private readonly keys: SqliteKeys;
  private readonly layers: SqliteLayers;
  private readonly sweep: SqliteSweep;
  private readonly group: GroupCommit;
  private readonly probe: (bytes: number) => void;
  /** Set when a step failed for the disk's sake: /ready answers 503 until a probe of PROBE_BYTES is written again. */
  private failing = false;
  private closed = false;

  /** Opens (creating and migrating) the database at `file`; throws SqliteOpenError when it cannot be used. */
  static open(file: string): SqliteStore {
    return new SqliteStore(openDatabase(file));
  }

  constructor(readonly db: Database.Database) {
    db.pragma(`busy_timeout = ${SERVING_BUSY_TIMEOUT_MS}`);
    this.experiments = new SqliteExperiments(db);
    this.tallies = new SqliteTallies(db);
    this.window = new SqliteWindow(db);
    this.events = new SqliteEvents(db);
    this.defaults = new SqliteDefaults(db);
    this.group = new GroupCommit(db);
    this.assignStep = new SqliteAssign(db, this.experiments, this.tallies, this.events, this.defaults);
    const users = new SqliteUserSums(db);
    this.metrics = new SqliteMetrics(db, this.experiments, this.events, users);
    this.rewardStep = new SqliteReward(db, this.experiments, this.tallies, this.window, this.events, this.defaults, this.metrics, users);
    this.history = new SqliteHistory(db);
    this.keys = new SqliteKeys(db);
    this.layers = new SqliteLayers(db);
    this.sweep = new SqliteSweep(db, () => {}); // a failed sweep is retried by the next one; writes report the disk's state
    const write = db.prepare("INSERT OR REPLACE INTO meta (k, v) VALUES ('ping', ?)");
    this.probe = db.transaction((bytes: number) => { write.run('x'.repeat(bytes)); write.run(String(Date.now())); });
  }

  async createExperiment(config: ExperimentConfig): Promise<boolean> { return this.io(() => this.experiments.create(config)); }
  async getExperiment(id: string): Promise<ExperimentState | null> { return this.io(() => this.experiments.get(id)); }
  async listExperiments(): Promise<ExperimentState[]> { return this.io(() => this.experiments.list()); }
  async experimentIds(): Promise<string[]> { return this.io(() => this.experiments.ids()); }
  async updateExperiment(id: string, patch: ExperimentPatch): Promise<ExperimentState | null> { return this.io(() => this.experiments.update(id, patch)); }
  async setArmState(id: string, armId: string, info: DisabledInfo | null): Promise<ExperimentState | null> {
    return this.io(() => this.experiments.setArmState(id, armId, info));
  }

  async getStats(id: string): Promise<ExperimentStats | null> {
    return this.io(() => {
      const head = this.experiments.head(id);
      return head ? this.tallies.stats(head) : null;
    });
  }

  async getGuardrailWindows(id: string): Promise<Record<string, GuardrailWindow>> {
    return this.io(() => {
      const out = nullProto<GuardrailWindow>();
      const head = this.experiments.head(id);
      if (!head) return out;
      this.window.windows(head.rid, head.armIds.length).forEach((w, i) => { out[head.armIds[i]] = w; });
      return out;
    });
  }

  async assign(input: AssignInput): Promise<AssignResult> {
    this.sweep.now = Math.max(this.sweep.now, input.now);
    return this.io(() => this.group.run(() => this.assignStep.run(input)), true);
  }

  async recordReward(input: RewardInput): Promise<RewardResult> {
    this.sweep.now = Math.max(this.sweep.now, Math.floor(input.nowMs / 1000));
    return this.io(() => this.group.run(() => this.rewardStep.run(input)), true);
  }

  async recordSignal(input: SignalInput): Promise<SignalResult> {
    this.sweep.now = Math.max(this.sweep.now, Math.floor(input.nowMs / 1000));
    return this.io(() => this.metrics.signal(input));
  }

  async getMetricStats(id: string, names: readonly string[]): Promise<MetricStats | null> {
    return this.io(() => {
      const head = this.experiments.head(id);
      return head ? this.metrics.stats(head, names) : null;
    });
  }

  async dueDefaultRewards(experimentId: string, now: number, limit: number): Promise<DueDefault[]> {
    return this.io(() => {
      const rid = this.experiments.rid(experimentId);
      return rid === undefined ? [] : this.defaults.due(rid, now, limit);
    });
  }

  async writeHistoryPoint(experimentId: string, point: HistoryPoint, retentionSeconds: number): Promise<boolean> {
    return this.io(() => this.history.write(experimentId, point, retentionSeconds));
  }
  async readHistory(experimentId: string, fromTs: number, toTs: number, limit?: number): Promise<HistoryPoint[]> { return this.io(() => this.history.read(experimentId, fromTs, toTs, limit)); }
  async lastHistoryPoint(experimentId: string, atOrBeforeTs: number): Promise<HistoryPoint | null> { return this.io(() => this.history.last(experimentId, atOrBeforeTs)); }

  async createApiKey(key: ApiKeyRecord): Promise<void> { return this.io(() => this.keys.create(key)); }
  async listApiKeys(): Promise<ApiKeyRecord[]> { return this.io(() => this.keys.list()); }
  async revokeApiKey(id: string): Promise<{ found: boolean; unconfirmed: number }> { return this.io(() => this.keys.revoke(id)); }
  async touchApiKeys(lastUsed: Record<string, string>): Promise<void> { return this.io(() => this.keys.touch(lastUsed)); }
  async apiKeysLastUsed(): Promise<Record<string, string>> { return this.io(() => this.keys.lastUsed()); }
  async apiKeysVersion(): Promise<number> { return this.io(() => this.keys.version()); }
  watchApiKeys(onChange: () => Promise<void>): ApiKeyWatch { return this.keys.watch(onChange); }

  async readEvents(id: string, after: string | null, limit: number): Promise<StoredEvent[] | null> {
    return this.io(() => {
      const head = this.experiments.head(id);
      return head ? this.events.read(head.rid, head.armIds, after, limit) : null;
    });
  }

  async readEventsOfType(id: string, type: StoredEvent['type'], after: string | null, limit: number): Promise<StoredEvent[] | null> {
    return this.io(() => {
      const head = this.experiments.head(id);
      return head ? this.events.readOfType(head.rid, head.armIds, type, after, limit) : null;
    });
  }

  async claimLayerRange(layerId: string, claim: LayerClaim, nowMs: number, mode: ClaimMode): Promise<ClaimResult> {
    return this.io(() => this.layers.claim(layerId, claim, nowMs, mode));
  }
  async releaseLayerRange(layerId: string, experimentId: string): Promise<void> { return this.io(() => this.layers.release(layerId, experimentId)); }
  async readLayer(layerId: string): Promise<LayerClaim[]> { return this.io(() => this.layers.read(layerId)); }

  async getOrCreateSecret(candidate: string): Promise<string> { return this.io(() => this.keys.secret(candidate)); }

  /**
   * A write, so that a read-only or full disk makes /ready answer 503 as it makes the ledger steps
   * do. After a step failed for the disk's sake the probe is the size of a large ledger step, so
   * /ready turns 200 again only when one would fit.
   */
  async ping(): Promise<void> {
    await this.io(() => this.probe(this.failing ? PROBE_BYTES : 0));
    this.failing = false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sweep.stop();
    this.group.commit();
    this.db.close();
  }

  /**
   * Runs one step; a SQLite error of the disk or the file (SQLITE_FULL, READONLY, IOERR, BUSY...)
   * becomes StoreUnavailableError. A ledger step (`grouped`) joins the group commit; anything else
   * commits the open group first, so it neither sees nor joins steps not yet committed.
   */
  private async io<T>(step: () => T | Promise<T>, grouped = false): Promise<T> {
    if (this.closed) throw new StoreUnavailableError('the SQLite store is closed');
    try {
      if (!grouped) this.group.commit();
      return await step();
    } catch (err) {
      if (!isSqliteUnavailable(err)) throw err;
      this.failing = true;
      throw new StoreUnavailableError(`SQLite unavailable: ${(err as Error).message} (${(err as { code: string }).code})`, { cause: err });
    }
  }
}
