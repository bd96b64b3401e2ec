/** The stores every API test runs on: the embedded one always, Redis when reachable (required in CI). */
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';

export interface StoreKind {
  name: string;
  make(): Promise<{ store: Store; cleanup(): Promise<void> }>;
}

export const memoryKind: StoreKind = {
  name: 'memory',
  make: async () => ({ store: new MemoryStore(), cleanup: async () => {} }),
};

export const storeKinds: StoreKind[] = [memoryKind];
