/**
 * What the use cases count, where it happens: decisions, rewards, fallbacks, stale retries,
 * snapshot reloads, guardrail disables, detected changes, and the time of every store call.
 *
 * The hot path only bumps plain numbers in Maps (~20 ns for a decision or a reward); the
 * prom-client series are filled from them when /metrics is scraped (each metric's `collect`), so
 * counting costs no label hashing per request; the two histograms are BucketHistograms, whose
 * series the callers' lookups find in nested Maps. Labels are bounded: experiment and arm ids only
 * (never a user), at most MAX_EXPERIMENT_LABELS experiments (the rest are summed under `_other`).
 */
import { Counter, Registry } from 'prom-client';
import { POPULATION_NAMES, type Population } from '../contract/population.js';
import { BucketHistogram, type HistogramSeries } from './histogram.js';

/** Distinct experiment label values before new ones go to `_other` (arms are capped at 100 per experiment). */
export const MAX_EXPERIMENT_LABELS = 200;
/** Seconds; from 50 µs so an in-process store call (or a 200 µs request) falls in a bucket of its own. */
export const LATENCY_BUCKETS = [0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

type Counts = Map<string, number>;

const bump = (m: Counts, key: string, by = 1): void => { m.set(key, (m.get(key) ?? 0) + by); };
const POPULATION_INDEX = { b: 0, h: 1, x: 2 } as const satisfies Record<Population, number>;

/**
 * Counts by (experiment, arm, population) in nested Maps: two lookups and an increment per event
 * (~20 ns), where building a joined key costs ~120 ns (bench/serving/metrics-observe.ts). Iterates as
 * joined keys, like Counts, at scrape time.
 */
class ArmCounts implements Iterable<[string, number]> {
  private readonly byExperiment = new Map<string, Map<string, Float64Array>>();

  inc(experiment: string, arm: string, population: Population): void {
    let byArm = this.byExperiment.get(experiment);
    if (!byArm) this.byExperiment.set(experiment, (byArm = new Map()));
    let counts = byArm.get(arm);
    if (!counts) byArm.set(arm, (counts = new Float64Array(3)));
    counts[POPULATION_INDEX[population]] += 1;
  }

  *[Symbol.iterator](): Iterator<[string, number]> {
    for (const [experiment, byArm] of this.byExperiment) {
      for (const [arm, counts] of byArm) {
        for (const [pop, i] of Object.entries(POPULATION_INDEX)) {
          if (counts[i] > 0) yield [`${experiment}\0${arm}\0${POPULATION_NAMES[pop as Population]}`, counts[i]];
        }
      }
    }
  }
}

export class Metrics {
  readonly registry = new Registry();
  private readonly experiments = new Set<string>();
  private readonly decisions = new ArmCounts();
  private readonly rewards = new ArmCounts();
  private readonly duplicates: Counts = new Map();
  private readonly fallbacks: Counts = new Map();
  private readonly exclusions: Counts = new Map();
  private readonly staleRetries: Counts = new Map();
  private readonly reloads: Counts = new Map();
  private readonly disables: Counts = new Map();
  private readonly changes: Counts = new Map();
  private readonly signals: Counts = new Map();
  private readonly storeErrors: Counts = new Map();
  private readonly storeDuration: BucketHistogram<'operation'>;
  private readonly httpDuration: BucketHistogram<'method' | 'route' | 'status_code'>;
  /** The histogram series found so far: by store method; by route, then method, then status. */
  private readonly storeSeries = new Map<string, HistogramSeries>();
  private readonly httpSeries = new Map<string, Map<string, Map<number, HistogramSeries>>>();

  constructor() {
    const r = this.registry;
    this.counter('bandit_decisions_total', 'Decisions answered by /select (fallbacks included, as excluded).', ['experiment', 'arm', 'population'], this.decisions);
    this.counter('bandit_rewards_total', 'Rewards accepted (duplicates not counted).', ['experiment', 'arm', 'population'], this.rewards);
    this.counter('bandit_reward_duplicates_total', 'Rewards answered duplicate: true.', ['experiment'], this.duplicates);
    this.counter('bandit_excluded_decisions_total', 'Decisions served the baseline as excluded, by why (excludedBy: targeting, layer, traffic, paused, ended, not_started, no_eligible_arm).',
      ['experiment', 'reason'], this.exclusions);
    this.counter('bandit_select_fallbacks_total', 'Decisions served as the baseline because the store did not answer in time.', ['experiment'], this.fallbacks);
    this.counter('bandit_stale_retries_total', 'Decisions refused by the store because the experiment changed meanwhile, and made again.', ['experiment'], this.staleRetries);
    this.counter('bandit_snapshot_reloads_total', 'Experiment snapshots (state and tallies) read from the store into this replica\'s cache.', ['experiment'], this.reloads);
    this.counter('bandit_guardrail_disables_total', 'Arms disabled automatically by a guardrail.', ['experiment', 'arm', 'guardrail'], this.disables);
    this.counter('bandit_changes_detected_total', 'Changes of an arm\'s reward distribution detected by changeDetection, by the replica whose reward revealed them.',
      ['experiment', 'arm'], this.changes);
    this.counter('bandit_signals_total', 'Metric values accepted (duplicates not counted), by declared metric name and the route they came by: source="signal" (POST /signals) or "reward" (the metrics of an accepted /reward or /rewards event).',
      ['experiment', 'metric', 'source'], this.signals);
    this.counter('bandit_store_errors_total', 'Store calls that failed (unavailable or timed out).', ['operation'], this.storeErrors);
    this.storeDuration = new BucketHistogram('bandit_store_duration_seconds', 'Duration of store calls (failed ones included), by store method.',
      ['operation'], LATENCY_BUCKETS, r);
    this.httpDuration = new BucketHistogram('http_request_duration_seconds', 'HTTP request duration, by route pattern (never by user).',
      ['method', 'route', 'status_code'], LATENCY_BUCKETS, r);
  }

  /** The experiment's label value: its id, or `_other` past MAX_EXPERIMENT_LABELS distinct ones. */
  private exp(id: string): string {
    if (this.experiments.has(id)) return id;
    if (this.experiments.size >= MAX_EXPERIMENT_LABELS) return '_other';
    this.experiments.add(id);
    return id;
  }

  decision(experimentId: string, armId: string, population: Population): void {
    this.decisions.inc(this.exp(experimentId), armId, population);
  }
  reward(experimentId: string, armId: string, population: Population): void {
    this.rewards.inc(this.exp(experimentId), armId, population);
  }
  duplicate(experimentId: string): void { bump(this.duplicates, this.exp(experimentId)); }
  excluded(experimentId: string, reason: string): void { bump(this.exclusions, `${this.exp(experimentId)}\0${reason}`); }
  fallback(experimentId: string): void { bump(this.fallbacks, this.exp(experimentId)); }
  staleRetry(experimentId: string): void { bump(this.staleRetries, this.exp(experimentId)); }
  snapshotReload(experimentId: string): void { bump(this.reloads, this.exp(experimentId)); }
  guardrailDisable(experimentId: string, armId: string, guardrail: string): void {
    bump(this.disables, `${this.exp(experimentId)}\0${armId}\0${guardrail}`);
  }

  changeDetected(experimentId: string, armId: string): void { bump(this.changes, `${this.exp(experimentId)}\0${armId}`); }

  /** `metric`: a declared metric's name (at most 20 per experiment), never a user's; `source`: the route it came by. */
  signal(experimentId: string, metric: string, source: 'signal' | 'reward'): void { bump(this.signals, `${this.exp(experimentId)}\0${metric}\0${source}`); }

  /** One store call of `seconds`; `failed` when it threw StoreUnavailableError. */
  storeCall(operation: string, seconds: number, failed: boolean): void {
    let series = this.storeSeries.get(operation);
    if (!series) this.storeSeries.set(operation, (series = this.storeDuration.series(operation)));
    series.observe(seconds);
    if (failed) bump(this.storeErrors, operation);
  }

  /** One HTTP request; `route` is the route's pattern (`/experiments/:id`), never the raw URL. */
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    let byMethod = this.httpSeries.get(route);
    if (!byMethod) this.httpSeries.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let series = byStatus.get(statusCode);
    if (!series) byStatus.set(statusCode, (series = this.httpDuration.series(method, route, String(statusCode))));
    series.observe(seconds);
  }

  /** A prom-client counter filled from `counts` (keys: label values joined by NUL) at each scrape. */
  private counter(name: string, help: string, labelNames: string[], counts: Iterable<[string, number]>): void {
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
