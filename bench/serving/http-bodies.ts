/**
 * Request bodies of the serving benchmarks (bench/serving/http-load.ts, closed loop; bench/serving/http-open-loop.ts,
 * constant arrival rate): /select for a user drawn uniformly from u-1 .. u-<users>; /reward for
 * decision ids minted with the service's own DecisionSigner and the servers' DECISION_SECRET (the very
 * tokens /select issues), fresh ones in order, and `duplicateShare` of the requests repeating one sent.
 */
import { DecisionSigner } from '../../src/assignment/decision-token.js';
import type { Population } from '../../src/contract/population.js';

export interface RewardSpec {
  secret: string;
  armIds: string[];
  baselineArmId: string;
  holdbackShare: number;
  duplicateShare: number;
  /** Fresh decision ids minted up front; a run that needs more reuses them (reported as wrapped). */
  ids: number;
}

export interface Bodies {
  next(): string;
  /** /reward only: what was sent so far. */
  counts(): { freshSent: number; duplicatesSent: number; freshMinted: number; wrapped: boolean };
}

export function selectBodies(experimentId: string, users: number): Bodies {
  const bodies = Array.from({ length: users }, (_, i) => JSON.stringify({ experimentId, userId: `u-${i + 1}` }));
  return { next: () => bodies[Math.floor(Math.random() * bodies.length)], counts: () => ({ freshSent: 0, duplicatesSent: 0, freshMinted: 0, wrapped: false }) };
}

export function rewardBodies(experimentId: string, r: RewardSpec): Bodies {
  const signer = new DecisionSigner(r.secret);
  const t = Math.floor(Date.now() / 1000);
  const baseline = r.armIds.indexOf(r.baselineArmId);
  const minted: { token: string; armIndex: number }[] = [];
  for (let i = 0; i < r.ids; i++) {
    // As /select issues them: the holdback share on the baseline, the rest spread over the arms.
    const holdback = Math.random() < r.holdbackShare;
    const armIndex = holdback ? baseline : Math.floor(Math.random() * r.armIds.length);
    const p: Population = holdback ? 'h' : 'b';
    minted.push({ token: signer.sign({ e: experimentId, a: r.armIds[armIndex], p, t, q: holdback ? 1 : 1 / r.armIds.length }), armIndex });
  }
  let freshSent = 0;
  let duplicatesSent = 0;
  let wrapped = false;
  const next = (): string => {
    let m;
    if (freshSent > 0 && Math.random() < r.duplicateShare) {
      // One of the last 10,000 ids sent (most already answered, some still in flight).
      m = minted[(freshSent - 1 - Math.floor(Math.random() * Math.min(freshSent, 10_000))) % minted.length];
      duplicatesSent++;
    } else {
      if (freshSent >= minted.length) wrapped = true;
      m = minted[freshSent % minted.length];
      freshSent++;
    }
    // Arm i pays with probability 0.1 + 0.02 i; latency and cost feed the guardrail windows.
    const reward = Math.random() < 0.1 + 0.02 * m.armIndex ? 1 : 0;
    const latencyMs = 100 + Math.floor(Math.random() * 1400);
    const cost = (1 + Math.floor(Math.random() * 40)) / 10_000;
    return `{"decisionId":"${m.token}","reward":${reward},"latencyMs":${latencyMs},"cost":${cost}}`;
  };
  return { next, counts: () => ({ freshSent, duplicatesSent, freshMinted: minted.length, wrapped }) };
}
