/**
 * The engine settings of an experiment as the policy seam reads them: which policy (with its
 * exploration floor), the settings a policy sees, and each arm's evidence valued at a time (the
 * discounted sums brought to `now`, or the plain tally). Used by the snapshot (decisions) and the
 * report, so both see the same numbers.
 */
import { decayTo, evidenceOf } from './discount.js';
import { policyFor } from './policies.js';
import { evidenceSums, linearEvidence } from './change-evidence.js';
import type { ArmEvidence, Policy, PolicySettings } from './policy.js';
import type { EngineSums, ExperimentConfig, Tally } from '../contract/domain.js';

export interface Engine {
  readonly policy: Policy<unknown>;
  readonly settings: PolicySettings;
  readonly halfLifeSeconds: number | null;
  /** changeDetection is on: the evidence is each arm's since its last restart. */
  readonly changes: boolean;
}

export function engineFor(config: ExperimentConfig): Engine {
  return {
    policy: policyFor(config.policy, config.minArmShare ?? 0),
    settings: {
      rewardModel: config.rewardModel, prior: config.prior,
      weights: config.arms.map((a) => a.weight ?? 1), costWeight: config.objective?.costWeight ?? 0,
      rewardBounds: config.rewardBounds ?? null, rewardShape: config.rewardShape ?? null,
      ...(config.features && { features: config.features }),
    },
    halfLifeSeconds: config.discount?.halfLifeSeconds ?? null,
    changes: config.changeDetection != null,
  };
}

/**
 * The arm's evidence at `nowS` (unix seconds): discounted when the experiment has a half-life; with
 * change detection (issue 24), the rewards since the arm's last restart when it has restarted; with
 * a linear policy's sums (issue 23) when the store kept any, less (with change detection) those as
 * of the arm's last restart, `linearBefore`.
 */
export function evidenceAt(engine: Engine, t: Tally & { engine?: EngineSums }, nowS: number, linear?: Float64Array, linearBefore?: Float64Array): ArmEvidence {
  const plain = plainEvidenceAt(engine, t, nowS);
  return linear ? { ...plain, linear: engine.changes ? linearEvidence(linear, linearBefore)! : linear } : plain;
}

function plainEvidenceAt(engine: Engine, t: Tally & { engine?: EngineSums }, nowS: number): ArmEvidence {
  const e = t.engine;
  if (engine.halfLifeSeconds !== null) {
    return e?.decayed ? evidenceOf(decayTo(e.decayed, nowS, engine.halfLifeSeconds)) : { rewards: 0, sum: 0, sumSq: 0, costs: 0, costSum: 0, costSumSq: 0 };
  }
  const r = engine.changes ? evidenceSums(t) : t;
  return { rewards: r.rewards, sum: r.sum, sumSq: r.sumSq, costs: e?.costs ?? 0, costSum: e?.costSum ?? 0, costSumSq: e?.costSumSq ?? 0, ...(e?.hurdle && { hurdle: e.hurdle }) };
}
