/**
 * An OFREP bulk evaluation makes one decision per active experiment, so it spends that many of the
 * caller's per-second budget (RATE_LIMIT) instead of one request's worth: past RATE_LIMIT decisions
 * within a second for this key (or address), it answers 429 `rate_limited` before deciding anything.
 * A bulk over more experiments than RATE_LIMIT is always refused (raise RATE_LIMIT, or evaluate flags
 * one by one). Counted per replica, in memory (the per-request limit is shared on Redis).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Spends `n` decisions of the caller's per-second budget; throws 429 rate_limited when it has not that many left. */
    spendDecisions(n: number): void;
  }
}

const MAX_CALLERS = 10_000;

export const decisionBudgetPlugin = fp<{ perSecond: number; now: () => number }>(async (app: FastifyInstance, { perSecond, now }) => {
  const spent = new Map<string, { second: number; n: number }>();
  app.decorateRequest('spendDecisions', function (this: FastifyRequest, n: number) {
    if (perSecond <= 0) return;
    const caller = this.apiKey ? `k:${this.apiKey.id}` : `a:${this.ip}`;
    const second = Math.floor(now() / 1000);
    let used = spent.get(caller);
    if (!used || used.second !== second) {
      if (!used && spent.size >= MAX_CALLERS) spent.clear(); // every entry older than a second is worthless anyway
      used = { second, n: 0 };
      spent.set(caller, used);
    }
    if (used.n + n > perSecond) {
      throw new ApiError('rate_limited', `this evaluation makes ${n} decisions and the limit is ${perSecond} per second per key (${used.n} spent this second); retry after 1 s, or raise RATE_LIMIT`);
    }
    used.n += n;
  });
}, { name: 'bandit-decision-budget' });
