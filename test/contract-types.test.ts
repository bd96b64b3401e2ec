/**
 * Where the committed OpenAPI document keeps two schemas for one shape (the request's, with its
 * bounds and defaults, and the stored value's plain view), their types must agree: a field added to
 * one and not the other fails `npm run typecheck` (which `npm test` runs first) here.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { BetaPrior, NormalGammaPrior } from '../src/bandit/posterior.js';
import type { PromoteSchema } from '../src/contract/lifecycle.js';
import type { GuardrailsSchema, PriorSchema } from '../src/contract/experiment.js';
import type { Guardrails, PromotionStage } from '../src/contract/domain.js';

describe('request and stored shapes agree', () => {
  it('guardrails, priors and promotion stages: what the request validated is what is stored', () => {
    expectTypeOf<z.output<typeof GuardrailsSchema>>().toEqualTypeOf<Guardrails>();
    expectTypeOf<z.output<typeof PriorSchema>>().toEqualTypeOf<BetaPrior | NormalGammaPrior>();
    expectTypeOf<z.output<typeof PromoteSchema>['stages'][number]>().toEqualTypeOf<PromotionStage>();
  });
});
