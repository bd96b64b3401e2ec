/**
 * A @fastify/rate-limit store for limits shared through Redis that does not ask Redis on every
 * request. Each replica counts its requests per key and per window (windows of `timeWindow` ms
 * aligned to the clock, so every replica's window has the same Redis key), answers from its own
 * count plus the shared count it last heard, and settles with Redis: INCRBY of what it counted
 * since its last settle onto the window's shared counter, whose answer is every replica's sum so far.
 * It settles every `settleMs` (one INCRBY per key that saw requests, not one script per request),
 * at once on a key's first request of a window (to hear the other replicas' count), and at once
 * when a request would go over the limit on what it knows, so a 429 is only ever decided on Redis's sum. When Redis cannot answer that settle, the request gets the error and
 * the limiter lets it through (`skipOnError`), as it did with the library's own Redis store.
 *
 * What it gives up in exactness, against the library's store (INCR per request, window from the
 * key's first request): a replica admits a request on its own count plus the others' as of its
 * last settle, so over one window the replicas together can admit up to the limit plus what the
 * *other* replicas served in the last `settleMs` and a round trip (one replica alone is exact); windows start on
 * the clock's multiples of `timeWindow` (replicas' clocks must agree to well under a window, NTP),
 * so a burst across a window's edge can pass up to twice the limit within a second, as with any
 * fixed window. The remaining count in `x-ratelimit-remaining` is this replica's estimate.
 */
import type { RedisClient } from '../store/redis-store.js';

/** One key's window at this replica: Redis's sum at the last settle, what is on its way there, and what is not sent yet. */
interface KeyState { window: number; shared: number; sending: number; unsettled: number }
type Callback = (err: Error | null, res?: { current: number; ttl: number }) => void;

export interface SettledStoreOptions {
  redis: RedisClient;
  /** Namespace of the shared counters. */
  prefix: string;
  /** How often a replica settles its counts with Redis (ms). */
  settleMs: number;
}

/** A store class for @fastify/rate-limit's `store` option, and a way to stop its settle timers (app close). */
export function settledRedisStore(opts: SettledStoreOptions): { Store: new () => SettledStore; stop(): void } {
  const live = new Set<SettledStore>();
  const Store = class extends SettledStore {
    constructor() {
      super(opts, live, opts.prefix);
    }
  };
  return { Store, stop: () => { for (const s of live) s.stop(); live.clear(); } };
}

export class SettledStore {
  private readonly keys = new Map<string, KeyState>();
  private timer: NodeJS.Timeout | null = null;
  private timeWindow = 1000;

  constructor(private readonly opts: SettledStoreOptions, private readonly live: Set<SettledStore>, private readonly prefix: string) {
    live.add(this);
  }

  incr(key: string, cb: Callback, timeWindow: number, max: number): void {
    this.timeWindow = timeWindow;
    const now = Date.now();
    const window = Math.floor(now / timeWindow);
    const ttl = (window + 1) * timeWindow - now;
    const prev = this.keys.get(key);
    const fresh = prev === undefined || prev.window !== window;
    const s = fresh ? { window, shared: 0, sending: 0, unsettled: 0 } : prev;
    if (fresh) this.keys.set(key, s);
    s.unsettled++;
    const current = s.shared + s.sending + s.unsettled;
    if (current <= max) {
      this.timer ??= setInterval(() => this.settleAll(), this.opts.settleMs).unref();
      cb(null, { current, ttl });
      // A key's first request of a window here: settle at once, to hear what the other replicas counted.
      if (fresh) this.settle(key, s).catch(() => {});
      return;
    }
    // Over the limit on what this replica knows: the answer is Redis's sum.
    this.settle(key, s).then(() => cb(null, { current: s.shared + s.sending + s.unsettled, ttl }), (err: Error) => cb(err));
  }

  /** For `{ increment: false }` checks: this replica's estimate, without counting. */
  read(key: string, cb: Callback, timeWindow: number): void {
    const now = Date.now();
    const s = this.keys.get(key);
    if (s === undefined || s.window !== Math.floor(now / timeWindow)) return cb(null, { current: 0, ttl: 0 });
    cb(null, { current: s.shared + s.sending + s.unsettled, ttl: (s.window + 1) * timeWindow - now });
  }

  /** A route with a limit of its own gets counters of its own (as the library's stores do). */
  child(routeOptions: { method?: unknown; url?: string; routeInfo?: { method: string; url: string } }): SettledStore {
    const route = routeOptions.routeInfo ?? routeOptions; // the library passes routeInfo; its types say the route's options
    return new SettledStore(this.opts, this.live, `${this.prefix}${String(route.method)}${route.url}-`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Sends what this replica counted since its last settle; `s.shared` becomes the sum Redis answers. */
  private async settle(key: string, s: KeyState): Promise<void> {
    const n = s.unsettled;
    s.unsettled = 0;
    s.sending += n;
    const redisKey = `${this.prefix}${key}:${s.window}`;
    try {
      const sum = await this.opts.redis.incrby(redisKey, n);
      if (sum === n) void this.opts.redis.pexpire(redisKey, 2 * this.timeWindow).catch(() => {}); // the window's first settle
      s.sending -= n;
      s.shared = Math.max(s.shared, sum); // one connection answers in order; the max only guards against a late answer
    } catch (err) {
      s.sending -= n;
      s.unsettled += n; // sent again with the next settle
      throw err;
    }
  }

  private settleAll(): void {
    const window = Math.floor(Date.now() / this.timeWindow);
    let pending = 0;
    for (const [key, s] of this.keys) {
      if (s.window !== window) this.keys.delete(key); // a past window: its Redis counter expires on its own
      else if (s.unsettled > 0) {
        pending++;
        this.settle(key, s).catch(() => {}); // Redis down: counted locally meanwhile, sent with the next settle
      }
    }
    if (pending === 0 && this.keys.size === 0) this.stop(); // idle: no timer until the next request
  }
}
