/** Per-test app on a fresh store of the given kind, closed and cleaned after each test. */
import { afterEach, beforeEach } from 'vitest';
import { makeTestApp, type TestApp, type TestAppOptions } from './app.js';
import type { StoreKind } from './stores.js';

/** The returned object is refilled before each test, so tests hold one reference. */
export function useTestApp(kind: StoreKind, opts: TestAppOptions = {}): TestApp {
  const current = {} as TestApp;
  let cleanup = async () => {};
  beforeEach(async () => {
    const made = await kind.make();
    cleanup = made.cleanup;
    Object.assign(current, await makeTestApp(made.store, undefined, opts));
  });
  afterEach(async () => {
    await current.app.close();
    await cleanup();
  });
  return current;
}
