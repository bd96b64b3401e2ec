/** The one log line per request (plugins/request-pipeline.ts), and the request logger built only when a line is written. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { MemoryStore } from '../../src/store/memory-store.js';

async function appLogging(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l)); cb(); } });
  const logger = pino({ level }, sink);
  const app = await buildApp({ store: new MemoryStore(), secret: 'request-log-secret-0123456789', logger });
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return { app, lines, flush };
}

describe('request log', () => {
  it('writes one line per request with method, url, status, time and the request id it echoes', async () => {
    const { app, lines, flush } = await appLogging('debug');
    const res = await app.inject({ method: 'POST', url: '/select', headers: { 'content-type': 'application/json', 'x-request-id': 'req-log-1' }, payload: '{"experimentId":"none","userId":"u"}' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('req-log-1');
    const ok = await app.inject({ method: 'GET', url: '/health' });
    await flush();
    const done = lines.filter((l) => l.msg === 'request completed');
    expect(done).toHaveLength(2);
    expect(done[0]).toMatchObject({ reqId: 'req-log-1', method: 'POST', url: '/select', statusCode: 404, level: 30 });
    expect(typeof done[0].ms).toBe('number');
    expect(done[1]).toMatchObject({ reqId: ok.headers['x-request-id'], method: 'GET', url: '/health', statusCode: 200, level: 20 });
    await app.close();
  });

  it('writes nothing below its level', async () => {
    const { app, lines, flush } = await appLogging('warn');
    await app.inject({ method: 'POST', url: '/select', headers: { 'content-type': 'application/json' }, payload: '{"experimentId":"none","userId":"u"}' });
    await app.inject({ method: 'POST', url: '/select', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    await flush();
    expect(lines.filter((l) => l.msg === 'request completed')).toHaveLength(0);
    await app.close();
  });
});
