/** The body of every error answer: the source of its part of openapi/openapi.json and of errors.ts's ErrorBody. */
import { z } from 'zod';

export const ErrorResponse = z.object({
  error: z.string().describe('Machine-readable code, e.g. experiment_not_found'),
  message: z.string().describe('What went wrong, in words'),
  details: z.unknown().optional(),
}).describe('Every error has this shape.');
