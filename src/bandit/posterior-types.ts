/** The shapes of the priors, posteriors and sufficient statistics (posterior.ts computes them; bounded.ts too, without a cycle). */
import type { z } from 'zod';
import type { BetaPriorSchema, NormalGammaPriorSchema } from '../contract/experiment-config.js';
import type { BetaPosteriorSchema, HurdlePosteriorSchema, NormalGammaPosteriorSchema } from '../contract/report.js';

/** The posteriors' shapes are the report's (contract/report.ts). */
export type BetaPosterior = z.infer<typeof BetaPosteriorSchema>;
export type NormalGammaPosterior = z.infer<typeof NormalGammaPosteriorSchema>;
export type Posterior = BetaPosterior | NormalGammaPosterior;
/** The hurdle model's (bandit/hurdle.ts): a mean known by its draws, not by a density. */
export type HurdlePosterior = z.infer<typeof HurdlePosteriorSchema>;
/** What Thompson draws from and the judgement judges: a density-backed posterior, or the hurdle model's. */
export type ArmPosterior = Posterior | HurdlePosterior;

/** rewards: how many rewards were observed; sum and sumSq: their sum and sum of squares. */
export interface SufficientStats {
  rewards: number;
  sum: number;
  sumSq: number;
}

/** The priors' shapes are the stored config's (contract/experiment-config.ts): declared once. */
export type BetaPrior = z.infer<typeof BetaPriorSchema>;
export type NormalGammaPrior = z.infer<typeof NormalGammaPriorSchema>;

