/**
 * The store as the use cases see it: the given store, each method call timed into
 * `bandit_store_duration_seconds` (and counted in `bandit_store_errors_total` when the store was
 * unavailable). A proxy, so a method added to the interface is timed without a change here; each
 * method is wrapped once, on first use.
 */
import { performance } from 'node:perf_hooks';
import { StoreUnavailableError, type Store } from '../store/store.js';
import type { Metrics } from './metrics.js';

type Method = (...args: unknown[]) => unknown;

export function timedStore(store: Store, metrics: Metrics): Store {
  const wrapped = new Map<PropertyKey, Method>();
  const wrap = (name: string, method: Method): Method => async (...args: unknown[]): Promise<unknown> => {
    const start = performance.now();
    try {
      const result = await method.apply(store, args);
      metrics.storeCall(name, (performance.now() - start) / 1000, false);
      return result;
    } catch (err) {
      metrics.storeCall(name, (performance.now() - start) / 1000, err instanceof StoreUnavailableError);
      throw err;
    }
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let w = wrapped.get(prop);
      if (!w) wrapped.set(prop, (w = wrap(prop, value as Method)));
      return w;
    },
  });
}
