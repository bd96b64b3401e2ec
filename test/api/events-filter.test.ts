/**
 * Issue 19 item 1: a filtered page of the embedded store's log is found through its index of the
 * type (no scan of the other type), and reading the log takes turns with the event loop. How long
 * the loop is held is measured in bench/serving/log-load.ts, not asserted here: a timed assertion fails on a
 * loaded machine (it did: a 197 ms loop delay during a parallel CI run).
 */
import { expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { fillLog } from '../../bench/serving/log-load/fill.js';
import { experimentBody } from '../helpers/app.js';

it('answers type=reward&limit=1 over 200,000 decisions at once, and an export takes turns with the event loop', async () => {
  const store = new MemoryStore();
  const app = await buildApp({ store, secret: 'events-filter-secret-0123456789' });
  const inject = (method: 'GET' | 'POST', url: string, body?: unknown) => app.inject({ method, url, ...(body !== undefined && { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) }) });
  expect((await inject('POST', '/experiments', experimentBody({ holdbackPercent: 0 }))).statusCode).toBe(201);
  await fillLog(store, 'exp-1', 200_000, 1);

  // Every event the service reads from the store, counted: the page must find its reward through the
  // index of the type, not by reading the 200,000 decisions before it (the count is what a scan costs).
  let eventsRead = 0;
  const count = <T extends unknown[] | null>(rows: T): T => { eventsRead += rows?.length ?? 0; return rows; };
  const readEvents = store.readEvents.bind(store);
  const readEventsOfType = store.readEventsOfType.bind(store);
  store.readEvents = async (...a) => count(await readEvents(...a));
  store.readEventsOfType = async (...a) => count(await readEventsOfType(...a));
  const page = await inject('GET', '/experiments/exp-1/events?type=reward&limit=1');
  expect(page.statusCode).toBe(200);
  expect(page.body.trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['reward']);
  expect(eventsRead).toBeLessThanOrEqual(1);

  // An export of 50,000 lines in pages, with a timer that must keep firing meanwhile (inject gathers the
  // body in this process, so the export is kept to a size whose gathering does not itself hold the loop).
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 10);
  const all = await inject('GET', '/experiments/exp-1/events?limit=50000');
  clearInterval(timer);
  expect(all.body.split('\n').filter(Boolean)).toHaveLength(50_000);
  expect(ticks).toBeGreaterThan(5);
  await app.close();
}, 60_000);
