/**
 * The features of a contextual experiment (issue 23): what a linear policy reads of `/select`'s
 * `context`. One zod schema is the source of the request's check, the stored config and the
 * OpenAPI document; the encoding into a vector is bandit/features.ts.
 *
 * Encoding: an implied intercept, one dimension per numeric feature, and one indicator per listed
 * value of a categorical feature (a missing or unlisted value is the reference level: all its
 * indicators 0, so it is a level of its own, absorbed by the intercept). At most 64 dimensions.
 */
import { z } from 'zod';

export const MAX_FEATURE_DIMENSIONS = 64;

const FEATURE_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

export const NumericFeatureSchema = z.strictObject({ type: z.literal('numeric') })
  .describe('A number of the context (a missing or null value counts as 0: centre the feature so that 0 is a typical value). A value that is not a finite number is a 400.');
export const CategoricalFeatureSchema = z.strictObject({
  type: z.literal('categorical'),
  values: z.array(z.string().min(1).max(64)).min(1).max(MAX_FEATURE_DIMENSIONS - 1)
    .refine((v) => new Set(v).size === v.length, 'values must be distinct'),
}).describe('One indicator per listed value; a missing, null or unlisted value (numbers and booleans are compared as text) is a level of its own.');

export const FeatureSchema = z.discriminatedUnion('type', [NumericFeatureSchema, CategoricalFeatureSchema]);

/** Encoded dimensions of a declaration: the intercept, one per numeric feature, one per listed categorical value. */
export function featureDimensions(features: Readonly<Record<string, z.infer<typeof FeatureSchema>>>): number {
  let d = 1;
  for (const f of Object.values(features)) d += f.type === 'numeric' ? 1 : f.values.length;
  return d;
}

export const FeaturesSchema = z.record(z.string().regex(FEATURE_NAME, 'a feature name is 1-64 characters of [A-Za-z0-9_.:-]'), FeatureSchema)
  .superRefine((features, ctx) => {
    const n = Object.keys(features).length;
    if (n === 0) ctx.addIssue({ code: 'custom', message: 'declare at least one feature' });
    const d = featureDimensions(features);
    if (d > MAX_FEATURE_DIMENSIONS) {
      ctx.addIssue({ code: 'custom', message: `${d} encoded dimensions (the intercept, 1 per numeric feature, 1 per listed value); at most ${MAX_FEATURE_DIMENSIONS}` });
    }
  })
  .describe('linear-thompson and linear-ucb only (required there): the features of the request\'s context the linear model reads, by name. '
    + 'An intercept is implied; at most 64 encoded dimensions.');

export type Feature = z.infer<typeof FeatureSchema>;
export type Features = Readonly<Record<string, Feature>>;

/** The stored shape (no bounds: checked on the way in). */
export const StoredFeaturesSchema = z.record(z.string(), z.union([
  z.object({ type: z.literal('numeric') }), z.object({ type: z.literal('categorical'), values: z.array(z.string()) }),
]));
