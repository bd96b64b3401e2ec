/**
 * The workload of the event log's concurrency test, run by each worker process on Redis (and by
 * the test itself on the embedded store): decisions and rewards with many in flight, some rewards
 * sent twice, some first sent with a tiny command timeout (the script may run, the answer is lost)
 * and then retried until answered.
 */
import type { AssignInput, RewardInput, Store } from '../../src/store/store.js';

export const LOG_EXPERIMENT = 'log-race';
export const LOG_ARMS = ['a0', 'a1', 'a2'];
export const LOG_NOW = 1_750_000_000;

/** [nonce, armId, userId ('' none), reward, send 'twice' | 'timeout-then-retry' | 'once'] */
export type Op = [string, string, string, number, 'once' | 'twice' | 'timeout'];

export interface OpsResult {
  /** Nonces whose decision was answered `served`. */
  served: string[];
  /** Decisions whose answer was lost to a timeout (counted or not: either is fine, as long as log and tally agree). */
  lostDecisions: number;
  accepted: number;
  duplicate: number;
  other: string[];
}

const assignInput = (nonce: string, armId: string, userId: string): AssignInput => ({
  experimentId: LOG_EXPERIMENT, version: 1, population: 'b', armId, propensity: 1 / 3, ...(userId && { userId }), sticky: true,
  stickyTtlSeconds: 3600, now: LOG_NOW, withStats: false,
  log: { nonce, nowMs: LOG_NOW * 1000, disabledArms: '', retentionSeconds: 10 * 365 * 86400 },
});

const rewardInput = (nonce: string, armId: string, reward: number): RewardInput => ({
  experimentId: LOG_EXPERIMENT, armId, population: 'b', decisionKey: nonce, issuedAt: LOG_NOW, rewardWindowSeconds: 3600, reward,
  event: { error: false }, guardrails: null, windowSize: 100, baseline: false, nowMs: LOG_NOW * 1000,
  log: { propensity: 1 / 3, retentionSeconds: 10 * 365 * 86400 },
});

/** Runs `ops` with `inFlight` lanes; `impatient` is a store whose calls time out (Redis) or null (the embedded store). */
export async function runOps(store: Store, impatient: Store | null, ops: Op[], inFlight: number): Promise<OpsResult> {
  const out: OpsResult = { served: [], lostDecisions: 0, accepted: 0, duplicate: 0, other: [] };
  const count = (kind: string): void => {
    if (kind === 'accepted') out.accepted += 1;
    else if (kind === 'duplicate') out.duplicate += 1;
    else out.other.push(kind);
  };
  let next = 0;
  async function lane(): Promise<void> {
    while (next < ops.length) {
      const [nonce, armId, userId, reward, mode] = ops[next++];
      let served = armId;
      try {
        const res = await (mode === 'timeout' && impatient ? impatient : store).assign(assignInput(nonce, armId, userId));
        if (res.kind !== 'served') { out.other.push(`assign ${res.kind}`); continue; }
        out.served.push(nonce);
        served = res.armId;
      } catch {
        out.lostDecisions += 1; // only the impatient store times out
      }
      if (mode === 'timeout' && impatient) await impatient.recordReward(rewardInput(nonce, served, reward)).catch(() => {});
      for (;;) {
        try {
          count((await store.recordReward(rewardInput(nonce, served, reward))).kind);
          break;
        } catch (err) {
          out.other.push(`reward threw: ${String(err)}`);
        }
      }
      if (mode === 'twice') count((await store.recordReward(rewardInput(nonce, served, reward))).kind);
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane));
  return out;
}
