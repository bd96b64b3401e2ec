/**
 * A batch (/rewards, /signals with `signals`): each item answered as the single call would answer
 * it, in order, with its status; items run concurrently (the store serialises per decision).
 */
import type { z } from 'zod';
import { toIssues } from '../contract/issues.js';
import { ApiError, invalid, storeUnavailable, type ErrorBody } from '../errors.js';
import { StoreUnavailableError } from '../store/store.js';

export type BatchAnswer<T> = ({ status: 200 } & T) | ({ status: number } & ErrorBody);

/** `what` names the item in a 503's message ("the reward could not be stored"). */
export function answerEach<S extends z.ZodType, T>(items: unknown[], schema: S, handle: (item: z.output<S>) => Promise<T>, what: string): Promise<BatchAnswer<T>[]> {
  return Promise.all(items.map(async (item): Promise<BatchAnswer<T>> => {
    const parsed = schema.safeParse(item);
    if (!parsed.success) return { status: 400, ...invalid('invalid_request', toIssues(parsed.error.issues, item)).toBody() };
    try {
      return { status: 200, ...(await handle(parsed.data)) };
    } catch (err) {
      if (err instanceof ApiError) return { status: err.status, ...err.toBody() };
      if (err instanceof StoreUnavailableError) return { status: 503, ...storeUnavailable(`the ${what} could not be stored; retry it (retries are safe)`).toBody() };
      throw err;
    }
  }));
}
