/**
 * The SQLite store's log pages: a page is an index seek (by cursor), a page of one type reads
 * through its own index (no scan of the other type's events), and the export with `type` answers
 * exactly the filtered log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { StoredEvent } from '../src/contract/event-log.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import { experimentBody, makeTestApp, type TestApp } from './helpers/app.js';

let dir: string;
let store: SqliteStore;
let t: TestApp;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bandit-events-'));
  store = SqliteStore.open(join(dir, 'bandit.db'));
  t = await makeTestApp(store);
  expect((await t.post('/experiments', experimentBody())).status).toBe(201);
});
afterEach(async () => {
  await t.app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const plan = (sql: string, ...args: unknown[]): string =>
  (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');

it('pages by cursor and by type through indexes, never a scan of the log', () => {
  expect(plan('SELECT * FROM events WHERE rid = ? AND (ms, id) > (?, ?) ORDER BY ms, id LIMIT ?', 1, 0, 0, 10)).toMatch(/^SEARCH events USING INDEX events_page/);
  expect(plan('SELECT * FROM events WHERE rid = ? ORDER BY ms, id LIMIT ?', 1, 10)).toMatch(/^SEARCH events USING INDEX events_page \(rid=\?\)$/);
  expect(plan('SELECT * FROM events WHERE rid = ? AND type = ? AND (ms, id) > (?, ?) ORDER BY ms, id LIMIT ?', 1, 1, 0, 0, 10)).toMatch(/^SEARCH events USING INDEX events_type/);
  // No temporary sort (the index gives the order), so a page stops after LIMIT rows.
  expect(plan('SELECT * FROM events WHERE rid = ? AND type = ? AND (ms, id) > (?, ?) ORDER BY ms, id LIMIT ?', 1, 1, 0, 0, 10)).not.toMatch(/TEMP B-TREE/);
  expect(plan('DELETE FROM events WHERE id IN (SELECT id FROM events WHERE rid = ? AND ms < ? ORDER BY ms, id LIMIT ?)', 1, 0, 10)).not.toMatch(/SCAN events/);
});

it('reads the rewards among many decisions a page at a time, and the export with type=reward is the filtered log', async () => {
  const rewarded: string[] = [];
  for (let i = 0; i < 600; i++) {
    const d = (await t.post('/select', { experimentId: 'exp-1', userId: `u-${i}` })).body;
    if (i % 50 === 0) {
      expect((await t.post('/reward', { decisionId: d.decisionId, reward: 1 })).status).toBe(200);
      rewarded.push(d.decisionId);
    }
  }
  const pages: string[][] = [];
  for (let cursor: string | null = null; ;) {
    const page: StoredEvent[] = (await store.readEventsOfType('exp-1', 'reward', cursor, 5))!;
    if (page.length === 0) break;
    pages.push(page.map((e) => e.type));
    cursor = page[page.length - 1].eventId;
  }
  expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
  expect(pages.flat().every((type) => type === 'reward')).toBe(true);
  expect(await store.readEventsOfType('nope', 'reward', null, 5)).toBeNull();

  const lines = async (query: string) => (await t.app.inject({ method: 'GET', url: `/experiments/exp-1/events${query}` })).body.trim().split('\n').map((l) => JSON.parse(l));
  const all = await lines('');
  const rewards = await lines('?type=reward');
  expect(rewards).toEqual(all.filter((e) => e.type === 'reward'));
  expect(rewards.map((e) => e.decisionId)).toEqual(rewarded);
  expect(await lines(`?type=reward&after=${rewards[3].eventId}&limit=2`)).toEqual(rewards.slice(4, 6));
  expect((await lines('?type=decision&limit=3')).map((e) => e.type)).toEqual(['decision', 'decision', 'decision']);
});
