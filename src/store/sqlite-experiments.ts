/**
 * The SQLite store's experiments: settings, disabled arms and version in one row each, with the
 * per-arm rows (tallies, window counters) created in the same transaction. The hot path reads an
 * experiment through `head`, a parsed copy cached per version (the version column is read every
 * time, so a change by anyone is seen at once).
 */
import type Database from 'better-sqlite3';
import { breachReason } from '../bandit/guardrails.js';
import { nullProto } from './null-proto.js';
import { POPULATIONS } from '../contract/population.js';
import type { ExperimentPatch } from './store.js';
import type { DisabledInfo, ExperimentConfig, ExperimentState } from '../contract/domain.js';

interface Row { rid: number; id: string; config: string; disabled: string; version: number; arms: string }

/** What the ledger steps need of an experiment: read-only, shared by every caller of one version. */
export interface ExperimentHead {
  rid: number;
  version: number;
  config: ExperimentConfig;
  armIds: string[];
  /** armId -> index in `arms`. */
  armIndex: Map<string, number>;
  disabled: Record<string, DisabledInfo>;
}

export class SqliteExperiments {
  private readonly heads = new Map<string, ExperimentHead>();
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      insert: db.prepare('INSERT OR IGNORE INTO experiments (id, config, disabled, version, arms) VALUES (?, ?, ?, 1, ?)'),
      tally: db.prepare('INSERT INTO tallies (rid, arm, pop) VALUES (?, ?, ?)'),
      counters: db.prepare('INSERT INTO window_counters (rid, arm, samples, latencies, cost_samples, cost_sum, errors, at_or_below, counted_for, next_seq) VALUES (?, ?, 0, 0, 0, 0, 0, 0, NULL, 0)'),
      row: db.prepare<[string], Row>('SELECT rid, id, config, disabled, version, arms FROM experiments WHERE id = ?'),
      version: db.prepare<[string], { rid: number; version: number }>('SELECT rid, version FROM experiments WHERE id = ?'),
      all: db.prepare<[], Row>('SELECT rid, id, config, disabled, version, arms FROM experiments ORDER BY id'),
      ids: db.prepare<[], { id: string }>('SELECT id FROM experiments ORDER BY id'),
      setConfig: db.prepare('UPDATE experiments SET config = ?, version = version + 1 WHERE rid = ?'),
      setDisabled: db.prepare('UPDATE experiments SET disabled = ?, version = version + 1 WHERE rid = ?'),
    };
  }

  create(config: ExperimentConfig): boolean {
    return this.db.transaction(() => {
      const armIds = config.arms.map((a) => a.id);
      const res = this.s.insert.run(config.id, JSON.stringify(config), '{}', JSON.stringify(armIds));
      if (res.changes === 0) return false;
      const rid = Number(res.lastInsertRowid);
      armIds.forEach((_, arm) => {
        for (const pop of POPULATIONS) this.s.tally.run(rid, arm, pop);
        this.s.counters.run(rid, arm);
      });
      return true;
    }).immediate();
  }

  get(id: string): ExperimentState | null {
    const row = this.s.row.get(id);
    return row ? decodeState(row) : null;
  }

  list(): ExperimentState[] {
    return this.s.all.all().map(decodeState);
  }

  ids(): string[] {
    return this.s.ids.all().map((r) => r.id);
  }

  update(id: string, patch: ExperimentPatch): ExperimentState | null {
    return this.db.transaction(() => {
      const row = this.s.row.get(id);
      if (!row) return null;
      const config = { ...(JSON.parse(row.config) as ExperimentConfig), ...structuredClone(patch) };
      this.s.setConfig.run(JSON.stringify(config), row.rid);
      return this.get(id);
    }).immediate();
  }

  setArmState(id: string, armId: string, info: DisabledInfo | null): ExperimentState | null {
    return this.db.transaction(() => {
      const row = this.s.row.get(id);
      if (!row) return null;
      const disabled = nullProto(JSON.parse(row.disabled) as Record<string, DisabledInfo>);
      if (info) disabled[armId] = info;
      else delete disabled[armId];
      this.s.setDisabled.run(JSON.stringify(disabled), row.rid);
      return this.get(id);
    }).immediate();
  }

  /** Writes an automatic disable (inside the caller's transaction) and bumps the version. */
  disableInTx(head: ExperimentHead, armId: string, info: DisabledInfo): void {
    const disabled = nullProto(head.disabled);
    disabled[armId] = info;
    this.s.setDisabled.run(JSON.stringify(disabled), head.rid);
  }

  /** The experiment as the ledger steps read it (a cached, parsed copy of its current version); null when unknown. */
  head(id: string): ExperimentHead | null {
    const v = this.s.version.get(id);
    if (!v) return null;
    const cached = this.heads.get(id);
    if (cached && cached.version === v.version && cached.rid === v.rid) return cached;
    const row = this.s.row.get(id)!;
    const state = decodeState(row);
    const armIds = JSON.parse(row.arms) as string[];
    const head: ExperimentHead = {
      rid: row.rid, version: row.version, config: state.config, armIds, armIndex: new Map(armIds.map((a, i) => [a, i])), disabled: state.disabled,
    };
    this.heads.set(id, head);
    return head;
  }

  /** The rid of an experiment, or undefined. */
  rid(id: string): number | undefined {
    return this.s.version.get(id)?.rid;
  }
}

function decodeState(row: Row): ExperimentState {
  const disabled = nullProto<DisabledInfo>();
  for (const [armId, info] of Object.entries(JSON.parse(row.disabled) as Record<string, DisabledInfo>)) disabled[armId] = withReason(info);
  return { config: JSON.parse(row.config) as ExperimentConfig, disabled, version: row.version };
}

/** A guardrail disable keeps its reason as written; one without (none today) gets it from the breach, as the Redis store does. */
function withReason(info: DisabledInfo): DisabledInfo {
  if (info.reason !== undefined || !info.guardrail) return info;
  return { ...info, reason: breachReason(info.guardrail) };
}
