/** The client's retry arithmetic: Retry-After in both forms, and the backoff's bounds. */
import { describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_RETRY, retryAfterMs, retryableStatus } from '../src/client/http.js';

describe('client retry rules', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Mon, 01 Jun 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'Sun, 31 May 2026 00:00:05 GMT' }), now)).toBe(0);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(retryAfterMs(new Headers(), now)).toBeNull();
  });

  it('backs off exponentially with jitter, capped, never sooner than Retry-After', () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect(backoffMs(DEFAULT_RETRY, 1, null, low)).toBe(100);
    expect(backoffMs(DEFAULT_RETRY, 1, null, high)).toBe(200);
    expect(backoffMs(DEFAULT_RETRY, 3, null, high)).toBe(800);
    expect(backoffMs(DEFAULT_RETRY, 20, null, high)).toBe(5000);
    expect(backoffMs(DEFAULT_RETRY, 1, 1000, high)).toBe(1000);
    expect(backoffMs(DEFAULT_RETRY, 20, 30_000, low)).toBe(30_000);
  });

  it('retries only what may succeed later', () => {
    expect([400, 401, 403, 404, 409, 410, 413, 429, 500, 502, 503, 504].filter(retryableStatus)).toEqual([429, 502, 503, 504]);
  });
});
