/**
 * The store as the use cases see it: the given store, each call of a method that answers a promise
 * timed into `bandit_store_duration_seconds` (and counted in `bandit_store_errors_total` when the
 * store was unavailable). A proxy, so a method added to the interface is timed without a change
 * here; each method is wrapped once, on first use. A method that answers synchronously (e.g.
 * watchApiKeys) passes through untimed.
 */
import { performance } from 'node:perf_hooks';
import { StoreUnavailableError, type Store } from '../store/store.js';
import type { Metrics } from './metrics.js';

type Method = (...args: unknown[]) => unknown;

export function timedStore(store: Store, metrics: Metrics): Store {
  const wrapped = new Map<string, Method>();
  const wrap = (name: string, method: Method): Method => (...args: unknown[]): unknown => {
    const start = performance.now();
    const done = (failed: boolean): void => metrics.storeCall(name, (performance.now() - start) / 1000, failed);
    let result: unknown;
    try {
      result = method.apply(store, args);
    } catch (err) {
      done(err instanceof StoreUnavailableError);
      throw err;
    }
    if (!(result instanceof Promise)) return result;
    return result.then((value: unknown) => {
      done(false);
      return value;
    }, (err: unknown) => {
      done(err instanceof StoreUnavailableError);
      throw err;
    });
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
