/**
 * Layers (issue 21): which experiment holds which buckets of a layer. A claim is the store's only
 * record of a layer; the rule it keeps atomic (in memory one synchronous block, in Redis one script
 * on one key) is this module's `conflictOf`, written once here and mirrored by claim-layer.lua.
 *
 * A claim is live until its experiment ends (endsAtMs passed) or is released (archived). A new
 * or changed claim conflicts with any live claim of another experiment whose range overlaps it; in
 * `create` mode also with a claim the same experiment already holds (a concurrent create of one id).
 */
export interface LayerClaim {
  experimentId: string;
  /** Buckets from <= b < to. */
  range: [number, number];
  /** When the experiment ends (epoch ms), null: no end. An ended claim frees its range. */
  endsAtMs: number | null;
}

export type ClaimMode = 'create' | 'update';
export type ClaimResult = { kind: 'claimed' } | { kind: 'conflict'; with: LayerClaim };

export const overlaps = (a: readonly [number, number], b: readonly [number, number]): boolean => a[0] < b[1] && b[0] < a[1];
export const liveAt = (c: LayerClaim, nowMs: number): boolean => c.endsAtMs === null || c.endsAtMs > nowMs;

/** The claim that `claim` may not be stored beside, or null. */
export function conflictOf(existing: Iterable<LayerClaim>, claim: LayerClaim, nowMs: number, mode: ClaimMode): LayerClaim | null {
  for (const c of existing) {
    if (c.experimentId === claim.experimentId) {
      if (mode === 'create') return c;
      continue;
    }
    if (liveAt(c, nowMs) && overlaps(c.range, claim.range)) return c;
  }
  return null;
}

/** The claims' text form in Redis (one hash field per experiment): "from to endsAtMs|-". */
export const encodeClaim = (c: LayerClaim): string => `${c.range[0]} ${c.range[1]} ${c.endsAtMs ?? '-'}`;
export function decodeClaim(experimentId: string, text: string): LayerClaim {
  const [from, to, ends] = text.split(' ');
  return { experimentId, range: [Number(from), Number(to)], endsAtMs: ends === '-' ? null : Number(ends) };
}

/** The embedded store's layers: each method one synchronous block. */
export class MemoryLayers {
  private readonly layers = new Map<string, Map<string, LayerClaim>>();

  claim(layerId: string, claim: LayerClaim, nowMs: number, mode: ClaimMode): ClaimResult {
    const layer = this.layers.get(layerId) ?? new Map<string, LayerClaim>();
    const other = conflictOf(layer.values(), claim, nowMs, mode);
    if (other) return { kind: 'conflict', with: structuredClone(other) };
    layer.set(claim.experimentId, structuredClone(claim));
    this.layers.set(layerId, layer);
    return { kind: 'claimed' };
  }

  release(layerId: string, experimentId: string): void {
    this.layers.get(layerId)?.delete(experimentId);
  }

  read(layerId: string): LayerClaim[] {
    return [...(this.layers.get(layerId)?.values() ?? [])].map((c) => structuredClone(c)).sort((a, b) => a.range[0] - b.range[0]);
  }
}
