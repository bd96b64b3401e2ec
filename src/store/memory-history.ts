/** The embedded store's history: per experiment, points sorted by ts (what history-point.lua keeps in a sorted set). */
import type { HistoryPoint } from '../contract/domain.js';

export class MemoryHistory {
  private readonly byExperiment = new Map<string, HistoryPoint[]>();

  write(experimentId: string, point: HistoryPoint, retentionSeconds: number): boolean {
    let points = this.byExperiment.get(experimentId);
    if (!points) this.byExperiment.set(experimentId, (points = []));
    if (points.some((p) => p.ts === point.ts)) return false;
    // Points arrive in time order; an out-of-order one is placed where it belongs.
    let i = points.length;
    while (i > 0 && points[i - 1].ts > point.ts) i--;
    points.splice(i, 0, structuredClone(point));
    const cutoff = point.ts - retentionSeconds;
    let drop = 0;
    while (drop < points.length && points[drop].ts < cutoff) drop++;
    if (drop > 0) points.splice(0, drop);
    return true;
  }

  read(experimentId: string, fromTs: number, toTs: number, limit = Infinity): HistoryPoint[] {
    return (this.byExperiment.get(experimentId) ?? []).filter((p) => p.ts >= fromTs && p.ts <= toTs).slice(0, limit).map((p) => structuredClone(p));
  }

  last(experimentId: string, atOrBeforeTs: number): HistoryPoint | null {
    const points = this.byExperiment.get(experimentId) ?? [];
    for (let i = points.length - 1; i >= 0; i--) if (points[i].ts <= atOrBeforeTs) return structuredClone(points[i]);
    return null;
  }
}
