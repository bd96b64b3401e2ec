/** The SQLite store's layer claims: one row per (layer, experiment), each step one transaction around layer-claims.ts's rule. */
import type Database from 'better-sqlite3';
import { conflictOf, type ClaimMode, type ClaimResult, type LayerClaim } from './layer-claims.js';

interface ClaimRow { experiment_id: string; range_from: number; range_to: number; ends_at_ms: number | null }

const toClaim = (r: ClaimRow): LayerClaim => ({ experimentId: r.experiment_id, range: [r.range_from, r.range_to], endsAtMs: r.ends_at_ms });

export class SqliteLayers {
  private readonly s;
  readonly claim: (layerId: string, claim: LayerClaim, nowMs: number, mode: ClaimMode) => ClaimResult;

  constructor(db: Database.Database) {
    this.s = {
      read: db.prepare<[string], ClaimRow>('SELECT experiment_id, range_from, range_to, ends_at_ms FROM layer_claims WHERE layer_id = ? ORDER BY range_from, experiment_id'),
      upsert: db.prepare('INSERT OR REPLACE INTO layer_claims (layer_id, experiment_id, range_from, range_to, ends_at_ms) VALUES (?, ?, ?, ?, ?)'),
      release: db.prepare('DELETE FROM layer_claims WHERE layer_id = ? AND experiment_id = ?'),
    };
    this.claim = db.transaction((layerId: string, claim: LayerClaim, nowMs: number, mode: ClaimMode): ClaimResult => {
      const other = conflictOf(this.read(layerId), claim, nowMs, mode);
      if (other) return { kind: 'conflict', with: other };
      this.s.upsert.run(layerId, claim.experimentId, claim.range[0], claim.range[1], claim.endsAtMs);
      return { kind: 'claimed' };
    });
  }

  release(layerId: string, experimentId: string): void {
    this.s.release.run(layerId, experimentId);
  }

  read(layerId: string): LayerClaim[] {
    return this.s.read.all(layerId).map(toClaim);
  }
}
