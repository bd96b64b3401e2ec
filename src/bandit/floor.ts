/**
 * The exploration floor (`minArmShare` = s): with probability k s (k eligible arms, k s <= 1) the
 * decision is uniform over the eligible arms, otherwise the policy's. Each arm's probability is
 * then s + (1 - k s) p_policy(arm) >= s, and that is the logged propensity, so off-policy
 * estimates stay valid even when the policy itself has become (nearly) deterministic. This is the
 * epsilon-mixture that GrowthBook's 1% minimum and Statsig's exploration allocation amount to.
 */
import type { Choice, DecisionContext, Policy } from './policy.js';

class FlooredChoice<M> implements Choice {
  constructor(
    private readonly inner: Policy<M>, private readonly model: M, private readonly eligible: readonly boolean[],
    private readonly share: number, private readonly k: number, readonly armIndex: number,
    private readonly context: DecisionContext, private readonly innerChoice?: Choice,
  ) {}

  get propensity(): number {
    const p = this.innerChoice ? this.innerChoice.propensity : this.inner.propensity(this.model, this.eligible, this.armIndex, this.context);
    return this.share + (1 - this.k * this.share) * p;
  }

  /** A contextual policy's vector with the floor mixed in (issue 23). */
  get vector(): readonly number[] | undefined {
    if (!this.inner.contextual) return undefined;
    const ps = this.innerChoice?.vector ?? this.eligible.map((e, i) => (e ? this.inner.propensity(this.model, this.eligible, i, this.context) : 0));
    return ps.map((p, i) => (this.eligible[i] ? this.share + (1 - this.k * this.share) * p : 0));
  }
}

const countEligible = (eligible: readonly boolean[]): number => eligible.reduce((n, e) => n + (e ? 1 : 0), 0);

/** `inner` with the floor mixed in; a share of 0 returns `inner` itself (and draws nothing more). */
export function withFloor<M>(inner: Policy<M>, share: number): Policy<M> {
  if (!(share > 0)) return inner;
  return {
    name: inner.name,
    contextual: inner.contextual,
    prepare: inner.prepare,
    choose(model, eligible, rng, unit, context) {
      const k = countEligible(eligible);
      if (k * share > 1 + 1e-12) throw new RangeError(`minArmShare ${share} x ${k} arms is more than 1`);
      const u = rng();
      if (u < k * share) {
        let pick = Math.min(k - 1, Math.floor(u / share));
        for (let i = 0; i < eligible.length; i++) {
          if (eligible[i] && pick-- === 0) return new FlooredChoice(inner, model, eligible, share, k, i, context);
        }
      }
      const c = inner.choose(model, eligible, rng, unit, context);
      // A lazily computed inner propensity (Thompson) stays lazy: read through the inner choice only when asked.
      return new FlooredChoice(inner, model, eligible, share, k, c.armIndex, context, c);
    },
    propensity(model, eligible, armIndex, context) {
      const k = countEligible(eligible);
      return eligible[armIndex] ? share + (1 - k * share) * inner.propensity(model, eligible, armIndex, context) : 0;
    },
  };
}
