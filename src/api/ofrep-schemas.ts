/** The HTTP envelope of the OFREP routes: the path parameter, If-None-Match, the bodiless 304 (the bodies: contract/ofrep.ts). */
import { z } from 'zod';

export const OfrepFlagParams = z.object({ experimentId: z.string().min(1).max(256).describe('The flag key: an experiment id.') });

export const OfrepBulkHeaders = z.object({
  'if-none-match': z.string().optional().describe('The ETag of an earlier answer: 304 when it still holds.'),
});

export const NotModified = z.undefined().describe('Not Modified: the ETag in If-None-Match still holds (no body).');
