/**
 * What the use cases count, where it happens: decisions, rewards, fallbacks, stale retries,
 * snapshot reloads, guardrail disables, and the time of every store call.
 *
 * The hot path only bumps plain numbers in Maps (a string key and an increment, ~50 ns); the
 * prom-client series are filled from them when /metrics is scraped (each metric's `collect`), so
 * counting costs no label hashing per request; the two histograms keep one prom-client child per
 * label set (~0.2 µs an observation, measured). Labels are bounded: experiment and arm ids only
 * (never a user), at most MAX_EXPERIMENT_LABELS experiments (the rest are summed under `_other`).
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { Population } from '../store/store.js';

/** Distinct experiment label values before new ones go to `_other` (arms are capped at 100 per experiment). */
export const MAX_EXPERIMENT_LABELS = 200;
/** Seconds; from 50 µs so an in-process store call (or a 200 µs request) falls in a bucket of its own. */
export const LATENCY_BUCKETS = [0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const POPULATION = { b: 'bandit', h: 'holdback', x: 'excluded' } as const satisfies Record<Population, string>;
type Counts = Map<string, number>;

const bump = (m: Counts, key: string, by = 1): void => { m.set(key, (m.get(key) ?? 0) + by); };

export class Metrics {
  readonly registry = new Registry();
  private readonly experiments = new Set<string>();
  private readonly decisions: Counts = new Map();
  private readonly rewards: Counts = new Map();
  private readonly duplicates: Counts = new Map();
  private readonly fallbacks: Counts = new Map();
  private readonly staleRetries: Counts = new Map();
  private readonly reloads: Counts = new Map();
  private readonly disables: Counts = new Map();
  private readonly storeErrors: Counts = new Map();
  private readonly storeDuration: Histogram<'operation'>;
  /** One histogram child per store method and per (method, route, status): prom-client hashes labels on every observe otherwise. */
  private readonly storeChildren = new Map<string, Histogram.Internal<'operation'>>();
  private readonly httpChildren = new Map<string, Histogram.Internal<'method' | 'route' | 'status_code'>>();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;

  constructor() {
    const r = this.registry;
    this.counter('bandit_decisions_total', 'Decisions answered by /select (fallbacks included, as excluded).', ['experiment', 'arm', 'population'], this.decisions);
    this.counter('bandit_rewards_total', 'Rewards accepted (duplicates not counted).', ['experiment', 'arm', 'population'], this.rewards);
    this.counter('bandit_reward_duplicates_total', 'Rewards answered duplicate: true.', ['experiment'], this.duplicates);
    this.counter('bandit_select_fallbacks_total', 'Decisions served as the baseline because the store did not answer in time.', ['experiment'], this.fallbacks);
    this.counter('bandit_stale_retries_total', 'Decisions refused by the store because the experiment changed meanwhile, and made again.', ['experiment'], this.staleRetries);
    this.counter('bandit_snapshot_reloads_total', 'Experiment snapshots (state and tallies) read from the store into this replica\'s cache.', ['experiment'], this.reloads);
    this.counter('bandit_guardrail_disables_total', 'Arms disabled automatically by a guardrail.', ['experiment', 'arm', 'guardrail'], this.disables);
    this.counter('bandit_store_errors_total', 'Store calls that failed (unavailable or timed out).', ['operation'], this.storeErrors);
    this.storeDuration = new Histogram({
      name: 'bandit_store_duration_seconds', help: 'Duration of store calls (failed ones included), by store method.',
      labelNames: ['operation'], buckets: LATENCY_BUCKETS, registers: [r],
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds', help: 'HTTP request duration, by route pattern (never by user).',
      labelNames: ['method', 'route', 'status_code'], buckets: LATENCY_BUCKETS, registers: [r],
    });
  }

  /** The experiment's label value: its id, or `_other` past MAX_EXPERIMENT_LABELS distinct ones. */
  private exp(id: string): string {
    if (this.experiments.has(id)) return id;
    if (this.experiments.size >= MAX_EXPERIMENT_LABELS) return '_other';
    this.experiments.add(id);
    return id;
  }

  decision(experimentId: string, armId: string, population: Population): void {
    bump(this.decisions, `${this.exp(experimentId)}\0${armId}\0${POPULATION[population]}`);
  }
  reward(experimentId: string, armId: string, population: Population): void {
    bump(this.rewards, `${this.exp(experimentId)}\0${armId}\0${POPULATION[population]}`);
  }
  duplicate(experimentId: string): void { bump(this.duplicates, this.exp(experimentId)); }
  fallback(experimentId: string): void { bump(this.fallbacks, this.exp(experimentId)); }
  staleRetry(experimentId: string): void { bump(this.staleRetries, this.exp(experimentId)); }
  snapshotReload(experimentId: string): void { bump(this.reloads, this.exp(experimentId)); }
  guardrailDisable(experimentId: string, armId: string, guardrail: string): void {
    bump(this.disables, `${this.exp(experimentId)}\0${armId}\0${guardrail}`);
  }

  /** One store call of `seconds`; `failed` when it threw StoreUnavailableError. */
  storeCall(operation: string, seconds: number, failed: boolean): void {
    let child = this.storeChildren.get(operation);
    if (!child) this.storeChildren.set(operation, (child = this.storeDuration.labels(operation)));
    child.observe(seconds);
    if (failed) bump(this.storeErrors, operation);
  }

  /** One HTTP request; `route` is the route's pattern (`/experiments/:id`), never the raw URL. */
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const key = `${method} ${route} ${statusCode}`;
    let child = this.httpChildren.get(key);
    if (!child) this.httpChildren.set(key, (child = this.httpDuration.labels(method, route, String(statusCode))));
    child.observe(seconds);
  }

  /** A prom-client counter filled from `counts` (keys: label values joined by NUL) at each scrape. */
  private counter(name: string, help: string, labelNames: string[], counts: Counts): void {
    new Counter({
      name, help, labelNames, registers: [this.registry],
      collect() {
        this.reset();
        for (const [key, n] of counts) {
          const values = key.split('\0');
          this.inc(Object.fromEntries(labelNames.map((l, i) => [l, values[i]])), n);
        }
      },
    });
  }
}
