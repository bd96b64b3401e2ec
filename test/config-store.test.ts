/** STORE and DATA_DIR (contract, third round, "Storage"): which store a configuration chooses. */
import { expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { storeKind } from '../src/store/create-store.js';

it('chooses redis when REDIS_URL is set, else sqlite, unless STORE says; DATA_DIR defaults to ./data', () => {
  expect(storeKind(loadConfig({}))).toBe('sqlite');
  expect(loadConfig({}).DATA_DIR).toBe('./data');
  expect(storeKind(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toBe('redis');
  expect(storeKind(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', STORE: 'sqlite' }))).toBe('sqlite');
  expect(storeKind(loadConfig({ STORE: 'memory' }))).toBe('memory');
  expect(() => loadConfig({ STORE: 'redis' })).toThrow('REDIS_URL: required with STORE=redis');
  expect(() => loadConfig({ STORE: 'postgres' })).toThrow(/STORE/);
});
