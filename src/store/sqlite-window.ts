/**
 * The SQLite store's guardrail windows: the last events of each arm (all populations) in
 * `window_events`, with running counters in `window_counters`, including how many latencies are at
 * or below the limit they were counted for (recounted when the limit changes). Mirrors the memory
 * store's pushEvent and reward.lua's window block; every write runs inside the reward transaction.
 */
import type Database from 'better-sqlite3';
import { countAtOrBelow } from '../bandit/guardrails.js';
import type { GuardrailEvent } from './store.js';
import type { GuardrailWindow } from '../contract/domain.js';

export interface Counters {
  samples: number; latencies: number; cost_samples: number; cost_sum: number; errors: number; at_or_below: number;
  counted_for: number | null; next_seq: number;
}
interface EventRow { seq: number; latency: number | null; cost: number | null; error: number }

export class SqliteWindow {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      counters: db.prepare<[number, number], Counters>('SELECT samples, latencies, cost_samples, cost_sum, errors, at_or_below, counted_for, next_seq FROM window_counters WHERE rid = ? AND arm = ?'),
      allCounters: db.prepare<[number], Counters & { arm: number }>('SELECT * FROM window_counters WHERE rid = ?'),
      setCounters: db.prepare(`UPDATE window_counters SET samples = ?, latencies = ?, cost_samples = ?, cost_sum = ?, errors = ?, at_or_below = ?,
        counted_for = ?, next_seq = ? WHERE rid = ? AND arm = ?`),
      latencies: db.prepare<[number, number], { latency: number }>('SELECT latency FROM window_events WHERE rid = ? AND arm = ? AND latency IS NOT NULL ORDER BY seq'),
      allLatencies: db.prepare<[number], { arm: number; latency: number }>('SELECT arm, latency FROM window_events WHERE rid = ? AND latency IS NOT NULL ORDER BY arm, seq'),
      push: db.prepare('INSERT INTO window_events (rid, arm, seq, latency, cost, error) VALUES (?, ?, ?, ?, ?, ?)'),
      oldest: db.prepare<[number, number], EventRow>('SELECT seq, latency, cost, error FROM window_events WHERE rid = ? AND arm = ? ORDER BY seq LIMIT 1'),
      drop: db.prepare('DELETE FROM window_events WHERE rid = ? AND arm = ? AND seq = ?'),
    };
  }

  /** Adds one event and evicts the oldest beyond `size`; recounts `at_or_below` first when the limit changed. Returns the counters after. */
  push(rid: number, arm: number, ev: GuardrailEvent, size: number, limit: number | undefined): Counters {
    const c = this.s.counters.get(rid, arm)!;
    if ((c.counted_for ?? undefined) !== limit) {
      c.counted_for = limit ?? null;
      c.at_or_below = limit === undefined ? 0 : countAtOrBelow(this.latencies(rid, arm), limit);
    }
    this.s.push.run(rid, arm, c.next_seq, ev.latencyMs ?? null, ev.cost ?? null, ev.error ? 1 : 0);
    c.next_seq += 1;
    c.samples += 1;
    if (ev.latencyMs !== undefined) {
      c.latencies += 1;
      if (limit !== undefined && ev.latencyMs <= limit) c.at_or_below += 1;
    }
    if (ev.cost !== undefined) { c.cost_samples += 1; c.cost_sum += ev.cost; }
    if (ev.error) c.errors += 1;
    while (c.samples > size) {
      const old = this.s.oldest.get(rid, arm)!;
      this.s.drop.run(rid, arm, old.seq);
      c.samples -= 1;
      if (old.latency !== null) {
        c.latencies -= 1;
        if (limit !== undefined && old.latency <= limit) c.at_or_below -= 1;
      }
      if (old.cost !== null) { c.cost_samples -= 1; c.cost_sum -= old.cost; }
      if (old.error === 1) c.errors -= 1;
    }
    this.s.setCounters.run(c.samples, c.latencies, c.cost_samples, c.cost_sum, c.errors, c.at_or_below, c.counted_for, c.next_seq, rid, arm);
    return c;
  }

  /** The arm's window latencies, oldest first. */
  latencies(rid: number, arm: number): number[] {
    return this.s.latencies.all(rid, arm).map((r) => r.latency);
  }

  /** Every arm's window, by index. */
  windows(rid: number, arms: number): GuardrailWindow[] {
    const out: GuardrailWindow[] = Array.from({ length: arms }, () => ({ samples: 0, latencies: [], costSamples: 0, costSum: 0, errors: 0 }));
    for (const c of this.s.allCounters.all(rid)) {
      Object.assign(out[c.arm], { samples: c.samples, costSamples: c.cost_samples, costSum: c.cost_sum, errors: c.errors });
    }
    for (const r of this.s.allLatencies.all(rid)) out[r.arm].latencies.push(r.latency);
    return out;
  }
}
