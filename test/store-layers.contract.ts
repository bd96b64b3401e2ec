/**
 * The layer claims of the store contract (issue 21), run by describeStore on every store: the rule
 * of layer-claims.ts `conflictOf`, and that it holds under concurrent claims from two instances.
 */
import { describe, expect, it } from 'vitest';
import type { LayerClaim } from '../src/store/layer-claims.js';
import type { Store } from '../src/store/store.js';
import type { StoreHandle } from './store.contract.js';

const NOW = 1_750_000_000_000;
const claim = (experimentId: string, from: number, to: number, endsAtMs: number | null = null): LayerClaim => ({ experimentId, range: [from, to], endsAtMs });

export function describeLayerClaims(current: () => { store: Store; handle: StoreHandle }): void {
  describe('layers', () => {
    it('claims free ranges; an overlap with another experiment is a conflict naming it; touching ranges do not overlap', async () => {
      const { store } = current();
      expect(await store.claimLayerRange('L', claim('a', 0, 2000), NOW, 'create')).toEqual({ kind: 'claimed' });
      expect(await store.claimLayerRange('L', claim('b', 1999, 3000), NOW, 'create')).toEqual({ kind: 'conflict', with: claim('a', 0, 2000) });
      expect(await store.claimLayerRange('L', claim('b', 2000, 3000), NOW, 'create')).toEqual({ kind: 'claimed' });
      expect(await store.claimLayerRange('other-layer', claim('c', 0, 10000), NOW, 'create')).toEqual({ kind: 'claimed' });
      expect(await store.readLayer('L')).toEqual([claim('a', 0, 2000), claim('b', 2000, 3000)]);
      expect(await store.readLayer('nobody')).toEqual([]);
    });

    it('create refuses a second claim of the same experiment; update replaces it (a range that grows)', async () => {
      const { store } = current();
      await store.claimLayerRange('L', claim('a', 0, 1000), NOW, 'create');
      await store.claimLayerRange('L', claim('b', 3000, 4000), NOW, 'create');
      expect(await store.claimLayerRange('L', claim('a', 5000, 6000), NOW, 'create')).toEqual({ kind: 'conflict', with: claim('a', 0, 1000) });
      expect(await store.claimLayerRange('L', claim('a', 0, 3000, NOW + 5), NOW, 'update')).toEqual({ kind: 'claimed' });
      expect(await store.claimLayerRange('L', claim('a', 0, 3001), NOW, 'update')).toEqual({ kind: 'conflict', with: claim('b', 3000, 4000) });
      expect(await store.readLayer('L')).toEqual([claim('a', 0, 3000, NOW + 5), claim('b', 3000, 4000)]);
    });

    it('an ended claim frees its range; one that ends later still holds it; a released one is gone', async () => {
      const { store } = current();
      await store.claimLayerRange('L', claim('ended', 0, 1000, NOW), NOW - 10, 'create');
      await store.claimLayerRange('L', claim('later', 1000, 2000, NOW + 1), NOW - 10, 'create');
      await store.claimLayerRange('L', claim('gone', 2000, 3000), NOW - 10, 'create');
      await store.releaseLayerRange('L', 'gone');
      expect(await store.claimLayerRange('L', claim('x', 0, 1000), NOW, 'create')).toEqual({ kind: 'claimed' });
      expect((await store.claimLayerRange('L', claim('y', 1500, 1600), NOW, 'create')).kind).toBe('conflict');
      expect(await store.claimLayerRange('L', claim('z', 2000, 3000), NOW, 'create')).toEqual({ kind: 'claimed' });
      expect((await store.readLayer('L')).map((c) => c.experimentId)).toEqual(['ended', 'x', 'later', 'z']);
    });

    it('of concurrent overlapping claims from two instances, exactly one wins', async () => {
      const { store, handle } = current();
      const other = handle.another ? await handle.another() : store;
      try {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : store)
          .claimLayerRange('race', claim(`e${i}`, 100 * i, 100 * i + 1500), NOW, 'create')));
        const winners = results.flatMap((r, i) => (r.kind === 'claimed' ? [i] : []));
        const ranges = (await store.readLayer('race')).map((c) => c.range);
        expect(ranges).toHaveLength(winners.length);
        for (let i = 1; i < ranges.length; i++) expect(ranges[i][0]).toBeGreaterThanOrEqual(ranges[i - 1][1]);
        expect(winners.length).toBeGreaterThanOrEqual(1);
      } finally {
        if (other !== store) await other.close();
      }
    });
  });
}
