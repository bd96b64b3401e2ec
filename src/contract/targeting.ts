/**
 * The third round's `targeting` and `layer` settings (POST /experiments, PATCH): the request
 * schemas (validated, with the path of a bad operator in the 400) and the stored shapes.
 */
import { z } from 'zod';
import { compileCondition, ConditionError } from './condition.js';
import { jsonBytes } from './bounded-json.js';

/** A user's bucket in a layer, a holdback or a traffic split is one of this many (assignment/buckets.ts). */
export const BUCKETS = 10_000;
const MAX_TARGETING_BYTES = 16 * 1024;
const LAYER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export const TargetingSchema = z.record(z.string(), z.unknown()).superRefine((cond, ctx) => {
  if (jsonBytes(cond) > MAX_TARGETING_BYTES) {
    ctx.addIssue({ code: 'custom', message: `targeting is at most ${MAX_TARGETING_BYTES / 1024} KiB of JSON` });
    return;
  }
  try {
    compileCondition(cond);
  } catch (err) {
    if (!(err instanceof ConditionError)) throw err;
    ctx.addIssue({ code: 'custom', path: err.path, message: err.message });
  }
}).describe('A condition on the request\'s `context` in GrowthBook\'s JSON syntax ($eq $ne $in $nin $gt $gte $lt $lte $exists $regex $and $or $nor $not '
  + '$elemMatch $size $all $type, dotted paths, $veq $vne $vgt $vgte $vlt $vlte). A request that does not match is served the baseline as excluded.');

const bucket = z.int().min(0).max(BUCKETS);
export const LayerRangeSchema = z.tuple([bucket, bucket]).refine(([from, to]) => from < to, { message: 'a range is [from, to] with from < to' })
  .describe(`Buckets from <= b < to out of ${BUCKETS} of the layer's hash of the user.`);

export const LayerSchema = z.strictObject({
  id: z.string().regex(LAYER_ID, 'layer id must be 1-64 characters of A-Z a-z 0-9 _ . : -'),
  range: LayerRangeSchema,
}).describe('Mutually exclusive experiments: experiments of one layer never share a user. A PATCH may only grow the range (the id stays).');

/** As stored (and answered). */
export const StoredLayerSchema = z.object({ id: z.string(), range: z.tuple([z.number(), z.number()]) });
export const StoredTargetingSchema = z.record(z.string(), z.unknown());

export const EXCLUDED_BY = ['targeting', 'layer', 'traffic', 'paused', 'ended', 'not_started', 'no_eligible_arm'] as const;
export type ExcludedBy = (typeof EXCLUDED_BY)[number];

/** GET /layers/:id. */
export const LayerResponse = z.object({
  id: z.string(),
  buckets: z.literal(BUCKETS),
  experiments: z.array(z.object({ experimentId: z.string(), range: z.tuple([z.number(), z.number()]), endsAt: z.string().nullable() })),
  free: z.array(z.tuple([z.number(), z.number()])).describe('The ranges no live experiment holds, [from, to), in order.'),
});
