/**
 * The embedded store's data per experiment (memory-store.ts): its arms' tallies and guardrail
 * windows, sticky users, dedupe entries, user sums, log and metrics, and the pure steps over them.
 */
import type { ArmDetector } from '../bandit/change-evidence.js';
import { emptyTally, emptyUserSums, type ExperimentConfig, type ExperimentState, type ExperimentStats, type GuardrailWindow, type StickyAssignment, type Tally, type UserSums } from '../contract/domain.js';
import type { GuardrailEvent } from './ledger-steps.js';
import { BoundedMap } from './bounded-map.js';
import { MemoryEventLog } from './memory-event-log.js';
import { MemoryMetrics } from './memory-metrics.js';
import { nullProto } from './null-proto.js';

export type GuardrailEventRow = GuardrailEvent;
export interface ArmData {
  b: Tally; h: Tally; x: Tally; events: GuardrailEventRow[]; window: GuardrailWindow;
  /** How many window latencies are at or below `countedFor` (the latency limit when last counted). */
  atOrBelow: number;
  countedFor: number | undefined;
  /** A linear policy's sums of the bandit population (issue 23); replaced, never changed in place. */
  linear?: Float64Array;
  /** Change detection (issue 24): `linear` as of the arm's last restart (linear-sums.ts linearBeforeAfterReward). */
  linearBefore?: Float64Array;
  /** Change detection (issue 24): the arm's GLR detector (bandit population). */
  detector?: ArmDetector;
}
export interface ExperimentData {
  state: ExperimentState;
  arms: Map<string, ArmData>;
  sticky: Map<string, StickyAssignment & { expiresAt: number }>;
  /** decisionKey -> unix seconds after which the entry may be forgotten. */
  dedupe: Map<string, number>;
  /** Per-user reward sums (issue 8): `<pop><userKey>` -> S, N (an LRU of 2 x STICKY_MAX_USERS: a user forgotten early counts as new); their sums over users per population. */
  userSums: Map<string, { s: number; n: number }>;
  /** Unix seconds when userSums expires as a whole (as the Redis hash does, its TTL renewed by each reward with a user). */
  userSumsUntil: number;
  users: { b: UserSums; h: UserSums };
  log: MemoryEventLog;
  /** Metric sums and windows (issue 22); their dedupe entries share `dedupe`. */
  metrics: MemoryMetrics;
}

/**
 * Every write checks this many sticky and dedupe entries for expiry, resuming where the last one
 * stopped. A whole sweep at once (every 4096 writes, as before) stalled the event loop for 13-22 ms
 * with a million dedupe entries, and its cost grew with the maps.
 */
const SWEEP_PER_WRITE = 8;

/** Visits every sticky and dedupe entry of every experiment in turn, over and over, SWEEP_PER_WRITE per step; `now()` is the time of the write that steps it. */
export function* sweepForever(experiments: Map<string, ExperimentData>, now: () => number): Generator<void, never, void> {
  let visited = 0;
  for (;;) {
    for (const e of experiments.values()) {
      for (const [k, s] of e.sticky) {
        if (s.expiresAt <= now()) e.sticky.delete(k);
        if (++visited % SWEEP_PER_WRITE === 0) yield;
      }
      for (const [k, until] of e.dedupe) {
        if (until < now()) e.dedupe.delete(k);
        if (++visited % SWEEP_PER_WRITE === 0) yield;
      }
    }
    yield; // one step even when there is nothing to visit
  }
}

/** A new experiment's data at version 1: every arm's tallies empty, no user, no event. */
export function newExperimentData(config: ExperimentConfig, stickyMaxUsers: number, maxEvents: number | undefined): ExperimentData {
  const arms = new Map(config.arms.map((a): [string, ArmData] => [a.id, { b: emptyTally(), h: emptyTally(), x: emptyTally(), events: [], window: emptyWindow(), atOrBelow: 0, countedFor: undefined }]));
  return {
    state: { config: structuredClone(config), disabled: nullProto(), version: 1 },
    arms, sticky: new BoundedMap(stickyMaxUsers), dedupe: new Map(), userSums: new BoundedMap(2 * stickyMaxUsers), userSumsUntil: 0,
    users: { b: emptyUserSums(), h: emptyUserSums() }, log: new MemoryEventLog(config.arms.map((a) => a.id), maxEvents), metrics: new MemoryMetrics(),
  };
}

export function statsOf(e: ExperimentData): ExperimentStats {
  return {
    arms: e.state.config.arms.map((a) => {
      const d = e.arms.get(a.id)!;
      return { armId: a.id, bandit: { ...d.b }, holdback: { ...d.h }, excluded: { ...d.x }, ...(d.linear && { linear: d.linear }), ...(d.linearBefore && { linearBefore: d.linearBefore }) };
    }),
    users: { b: { ...e.users.b }, h: { ...e.users.h } },
  };
}

/** A copy for the caller; structuredClone gives `disabled` a prototype again, so it is rebuilt without. */
export const cloneState = (s: ExperimentState): ExperimentState => ({ ...structuredClone(s), disabled: nullProto(structuredClone(s.disabled)) });

export const emptyWindow = (): GuardrailWindow => ({ samples: 0, latencies: [], costSamples: 0, costSum: 0, errors: 0 });

/** Adds one event to the arm's rolling window and evicts the oldest beyond `size`, keeping the counters. */
export function pushEvent(arm: ArmData, ev: GuardrailEventRow, size: number): void {
  const w = arm.window;
  const limit = arm.countedFor;
  arm.events.push({ ...ev });
  w.samples += 1;
  if (ev.latencyMs !== undefined) {
    w.latencies.push(ev.latencyMs);
    if (limit !== undefined && ev.latencyMs <= limit) arm.atOrBelow += 1;
  }
  if (ev.cost !== undefined) { w.costSamples += 1; w.costSum += ev.cost; }
  if (ev.error) w.errors += 1;
  while (arm.events.length > size) {
    const old = arm.events.shift()!;
    w.samples -= 1;
    if (old.latencyMs !== undefined) {
      w.latencies.shift();
      if (limit !== undefined && old.latencyMs <= limit) arm.atOrBelow -= 1;
    }
    if (old.cost !== undefined) { w.costSamples -= 1; w.costSum -= old.cost; }
    if (old.error) w.errors -= 1;
  }
}
