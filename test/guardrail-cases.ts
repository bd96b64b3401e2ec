/**
 * The guardrail rule's ONE table of cases. The rule is written once in TypeScript
 * (src/bandit/guardrails.ts: `autoDisable`, which the memory store runs) and once more in
 * src/store/lua/reward.lua (which must run it inside its atomic step); the store contract suite
 * (test/store.contract.ts) runs every case below against every store, so both copies answer alike.
 *
 * A case sends its events one by one to the arm `treat` of the contract's experiment `exp-1`:
 * none but the last may disable the arm; the last disables it for `breach` (null: it does not).
 */
import { expect, it } from 'vitest';
import { breachReason, type Breach } from '../src/bandit/guardrails.js';
import type { Guardrails } from '../src/contract/domain.js';
import type { GuardrailEvent, RewardInput, RewardResult, Store } from '../src/store/store.js';

export const repeat = <T>(n: number, x: T): T[] => Array.from({ length: n }, () => x);
export const limits = (over: Partial<Guardrails>): Guardrails => ({ minSamples: 4, windowSize: 1000, ...over });

interface GuardrailCase {
  name: string;
  /** null: guardrails off. */
  guardrails: Guardrails | null;
  events: GuardrailEvent[];
  /** The reward's arm is the baseline; the arm was disabled by hand before the events; the window's size. */
  baseline?: boolean;
  disabledBefore?: boolean;
  windowSize?: number;
  breach: Breach | null;
}

const ok: GuardrailEvent = { error: false };
const err: GuardrailEvent = { error: true };
const ms = (latencyMs: number): GuardrailEvent => ({ latencyMs, error: false });
const cost = (c: number): GuardrailEvent => ({ cost: c, error: false });

export const GUARDRAIL_CASES: GuardrailCase[] = [
  { name: 'latency: a nearest-rank p95 at the limit passes', guardrails: limits({ latencyP95Ms: 100, minSamples: 20 }), events: [...repeat(19, ms(100)), ms(101)], breach: null },
  { name: 'latency: a p95 above the limit breaches', guardrails: limits({ latencyP95Ms: 100, minSamples: 20 }), events: [...repeat(19, ms(100)), ms(101), ms(101)], breach: { guardrail: 'latencyP95Ms', observed: 101, limit: 100 } },
  { name: 'latency: only events with a latency count towards minSamples', guardrails: limits({ latencyP95Ms: 100, minSamples: 3 }), events: [ms(500), ms(500), ...repeat(5, ok)], breach: null },
  { name: 'latency: the third latency reaches minSamples', guardrails: limits({ latencyP95Ms: 100, minSamples: 3 }), events: [ms(500), ms(500), ...repeat(5, ok), ms(500)], breach: { guardrail: 'latencyP95Ms', observed: 500, limit: 100 } },
  { name: 'mean cost at the limit passes', guardrails: limits({ meanCost: 0.5 }), events: repeat(4, cost(0.5)), breach: null },
  { name: 'mean cost above the limit breaches', guardrails: limits({ meanCost: 0.5 }), events: [...repeat(4, cost(0.5)), cost(0.75)], breach: { guardrail: 'meanCost', observed: 2.75 / 5, limit: 0.5 } },
  { name: 'error rate at the limit passes', guardrails: limits({ errorRate: 0.25 }), events: [err, ok, ok, ok], breach: null },
  { name: 'error rate above the limit breaches', guardrails: limits({ errorRate: 0.25 }), events: [err, ok, ok, ok, err], breach: { guardrail: 'errorRate', observed: 0.4, limit: 0.25 } },
  { name: 'nothing is checked before minSamples events', guardrails: limits({ errorRate: 0, minSamples: 5 }), events: repeat(4, err), breach: null },
  { name: 'minSamples events are checked', guardrails: limits({ errorRate: 0, minSamples: 5 }), events: repeat(5, err), breach: { guardrail: 'errorRate', observed: 1, limit: 0 } },
  { name: 'latency is reported before cost and errors', guardrails: limits({ latencyP95Ms: 10, meanCost: 0.1, errorRate: 0 }), events: repeat(4, { latencyMs: 50, cost: 1, error: true }), breach: { guardrail: 'latencyP95Ms', observed: 50, limit: 10 } },
  { name: 'cost is reported before errors', guardrails: limits({ meanCost: 0.1, errorRate: 0 }), events: repeat(4, { cost: 1, error: true }), breach: { guardrail: 'meanCost', observed: 1, limit: 0.1 } },
  { name: 'events evicted from the window no longer count (at the limit)', guardrails: limits({ errorRate: 0.5, windowSize: 4 }), windowSize: 4, events: [err, ok, ok, ok, ok, err, err], breach: null },
  { name: 'events evicted from the window no longer count (above it)', guardrails: limits({ errorRate: 0.5, windowSize: 4 }), windowSize: 4, events: [err, ok, ok, ok, ok, err, err, err], breach: { guardrail: 'errorRate', observed: 0.75, limit: 0.5 } },
  { name: 'the baseline arm is never disabled', guardrails: limits({ errorRate: 0 }), baseline: true, events: repeat(5, err), breach: null },
  { name: 'guardrails off disable nothing', guardrails: null, events: repeat(5, err), breach: null },
  { name: 'an arm already disabled is not disabled again', guardrails: limits({ errorRate: 0 }), disabledBefore: true, events: repeat(5, err), breach: null },
];

/** Registers one test per case; call it where `exp-1` exists (the contract's `guardrails` block); `at`: the rewards' time. */
export function guardrailCases(store: () => Store, send: (evs: GuardrailEvent[], over: Partial<RewardInput>) => Promise<RewardResult[]>, at: string): void {
  it.each(GUARDRAIL_CASES)('the rule\'s table: $name', async (c) => {
    const manual = { source: 'manual' as const, reason: 'by hand', at: '2026-01-01T00:00:00.000Z' };
    if (c.disabledBefore) await store().setArmState('exp-1', 'treat', manual);
    const res = await send(c.events, { guardrails: c.guardrails, baseline: c.baseline ?? false, windowSize: c.windowSize ?? 1000 });
    expect(res.slice(0, -1)).toEqual(repeat(c.events.length - 1, { kind: 'accepted' }));
    if (!c.breach) expect(res.at(-1)).toEqual({ kind: 'accepted' });
    else expect(res.at(-1)).toEqual({ kind: 'accepted', autoDisabled: { source: 'guardrail', reason: breachReason(c.breach), at, guardrail: c.breach } });
    const disabled = (await store().getExperiment('exp-1'))!.disabled.treat;
    expect(disabled).toEqual(c.disabledBefore ? manual : c.breach ? { source: 'guardrail', reason: breachReason(c.breach), at, guardrail: c.breach } : undefined);
  });
}
