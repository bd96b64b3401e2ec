/**
 * The HTTP envelope of the routes: path parameters, query strings and the batch wrapper. The bodies
 * the service takes are in src/contract/ (below the service); the routes import them from there.
 */
import { z } from 'zod';

export const ExperimentParams = z.object({ id: z.string().min(1).max(256) });
export const ArmParams = z.object({ id: z.string().min(1).max(256), armId: z.string().min(1).max(256) });
export const DisableArmSchema = z.strictObject({ reason: z.string().min(1).max(1000).optional() }).nullish();

export const MAX_BATCH = 1000;
export const RewardBatchSchema = z.strictObject({
  events: z.array(z.unknown()).min(1, 'events must not be empty').max(MAX_BATCH, `at most ${MAX_BATCH} events per batch`)
    .describe('Each event as the body of POST /reward; each is answered as that call would be.'),
});

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Experiments per page (1-1000, default 100).'),
  after: z.string().min(1).max(256).optional().describe('The `next` of the previous page: the page starts after this id.'),
});

export const ArmsQuery = z.object({ experimentId: z.string().min(1).max(256) });
