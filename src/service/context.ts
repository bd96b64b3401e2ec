/** What every use case needs, built once per app: the store, the snapshot cache, the signer, the clock, the random sources. */
import { makeRng, type Rng } from '../bandit/random.js';
import { DecisionSigner } from '../assignment/decision-token.js';
import type { Store } from '../store/store.js';
import { Metrics } from '../observability/metrics.js';
import { SnapshotCache } from './snapshot.js';
import { timedStore } from '../observability/timed-store.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export class ServiceContext {
  readonly cache: SnapshotCache;
  /** Replaced once when the secret comes from the store (service/secret-keeper.ts). */
  signer: DecisionSigner;
  private readonly rngs = new Map<string, Rng>();
  private readonly unseeded: Rng = makeRng();
  /** The most experiments the store may hold (MAX_EXPERIMENTS; issue 10). */
  maxExperiments = 1000;

  /** The given store, every call timed into `metrics`. */
  readonly store: Store;

  constructor(store: Store, secret: string, readonly clock: Clock = systemClock, readonly metrics: Metrics = new Metrics()) {
    this.store = timedStore(store, metrics);
    this.cache = new SnapshotCache(this.store, metrics);
    this.signer = new DecisionSigner(secret);
  }

  /** One generator per seeded experiment, kept across reloads so a seed reproduces the whole sequence. */
  rngFor(experimentId: string, seed: string | null): Rng {
    if (seed === null) return this.unseeded;
    let rng = this.rngs.get(experimentId);
    if (!rng) this.rngs.set(experimentId, (rng = makeRng(`${experimentId}\0${seed}`)));
    return rng;
  }
}
