/** Builds the app on a given store with a clock the test moves, and small request helpers. */
import type { FastifyInstance } from 'fastify';
import { buildApp, type AuthOptions } from '../../src/app.js';
import type { Clock } from '../../src/service/context.js';
import type { Store } from '../../src/store/store.js';
import { attachContractCheck } from './contract-check.js';

export class TestClock implements Clock {
  constructor(public ms = Date.parse('2026-06-01T00:00:00Z')) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export interface TestApp {
  app: FastifyInstance;
  clock: TestClock;
  store: Store;
  post(url: string, body: unknown): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  get(url: string): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
  patch(url: string, body: unknown): Promise<{ status: number; body: any; headers: Record<string, unknown> }>;
}

export const TEST_SECRET = 'test-secret-0123456789abcdef';

export interface TestAppOptions {
  /** API keys for the app (default: none, so it serves in open mode). */
  auth?: AuthOptions;
  /** A key that post/get/patch send as `Authorization: Bearer <key>`. */
  key?: string;
}

export async function makeTestApp(store: Store, clock = new TestClock(), opts: TestAppOptions = {}): Promise<TestApp> {
  const app = await buildApp({ store, secret: TEST_SECRET, clock, auth: opts.auth });
  attachContractCheck(app); // every response is checked against openapi/openapi.json
  const auth = opts.key ? { authorization: `Bearer ${opts.key}` } : {};
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) => {
    const res = await app.inject({
      method, url, headers: { ...auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : null, headers: res.headers };
  };
  return {
    app, clock, store,
    post: (url, body) => call('POST', url, body),
    get: (url) => call('GET', url),
    patch: (url, body) => call('PATCH', url, body),
  };
}

/** A valid experiment body; override any field. */
export function experimentBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'exp-1',
    arms: [{ id: 'control', payload: { prompt: 'v1' } }, { id: 'structured', payload: { prompt: 'v2' } }, { id: 'large' }],
    rewardModel: 'bernoulli',
    ...overrides,
  };
}
