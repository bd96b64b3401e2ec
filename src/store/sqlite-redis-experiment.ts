/**
 * Copies one experiment of the SQLite store into Redis in the Redis store's own layout (keys from
 * redis-keys.ts, fields and packed values as the Lua scripts write them: see each script's header),
 * so that the Redis store answers as the SQLite store did. Every key of the experiment shares its
 * hash tag, so the pipelines run on Redis Cluster too. Rows are read a page at a time.
 */
import type Database from 'better-sqlite3';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis-store.js';
import { ExperimentKeys, dedupeBucket, dueMember, indexKey, stickyEpochs, stickyField } from './redis-keys.js';
import type { DisabledInfo, EngineSums, ExperimentConfig } from '../contract/domain.js';
import type { Population } from '../contract/population.js';

export interface ExperimentRow {
  rid: number; id: string; config: string; disabled: string; version: number; arms: string; sums_gen: number; sums_until: number;
  bss: number; bnn: number; bsn: number; hss: number; hnn: number; hsn: number;
}

const PAGE = 1000;
const n = (x: number): string => String(x);

/** Sends the queued commands every PAGE of them; `done` sends the rest. */
class Batch {
  private p: ChainableCommander;
  private queued = 0;
  constructor(private readonly client: RedisClient) { this.p = client.pipeline(); }
  async add(f: (p: ChainableCommander) => void): Promise<void> {
    f(this.p);
    if (++this.queued >= PAGE) await this.done();
  }
  async done(): Promise<void> {
    if (this.queued === 0) return;
    const results = (await this.p.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    this.p = this.client.pipeline();
    this.queued = 0;
  }
}

/** Keyset pages of a query whose last two parameters are the cursor and the limit. */
function* pages<T>(stmt: Database.Statement, head: unknown[], start: unknown[], cursor: (row: T) => unknown[]): Generator<T[]> {
  let at = start;
  for (;;) {
    const rows = stmt.all(...head, ...at, PAGE) as T[];
    if (rows.length === 0) return;
    yield rows;
    at = cursor(rows[rows.length - 1]);
  }
}

export async function copyExperiment(db: Database.Database, client: RedisClient, prefix: string, e: ExperimentRow, now: number): Promise<number> {
  const k = new ExperimentKeys(prefix, e.id);
  const config = JSON.parse(e.config) as ExperimentConfig;
  const armIds = JSON.parse(e.arms) as string[];
  const b = new Batch(client);
  // Meta hash (create-experiment.lua, set-arm-state.lua): the config as it is now, so no patches.
  await b.add((p) => p.hset(k.meta(), 'config', e.config, 'arms', e.arms, 'v', n(e.version)));
  for (const [i, armId] of armIds.entries()) await b.add((p) => p.hset(k.meta(), `a:${armId}`, n(i + 1), `i:${i + 1}`, armId));
  for (const [armId, info] of Object.entries(JSON.parse(e.disabled) as Record<string, DisabledInfo>)) await b.add((p) => p.hset(k.meta(), `d:${armId}`, JSON.stringify(info)));
  await b.done();
  await client.sadd(indexKey(prefix), e.id);

  // Tallies (assign.lua, reward.lua): <pop><d|r|s|q|u>:<arm>, engine sums, sums over users.
  type Tally = { arm: number; pop: string; decisions: number; rewards: number; sum: number; sum_sq: number; users: number; engine: string | null };
  for (const t of db.prepare('SELECT * FROM tallies WHERE rid = ?').all(e.rid) as Tally[]) {
    const a = armIds[t.arm];
    const f: string[] = [`${t.pop}d:${a}`, n(t.decisions), `${t.pop}r:${a}`, n(t.rewards), `${t.pop}s:${a}`, n(t.sum), `${t.pop}q:${a}`, n(t.sum_sq), `${t.pop}u:${a}`, n(t.users)];
    if (t.engine) {
      const g = JSON.parse(t.engine) as EngineSums;
      f.push(`${t.pop}cn:${a}`, n(g.costs), `${t.pop}cs:${a}`, n(g.costSum), `${t.pop}cq:${a}`, n(g.costSumSq));
      const d = g.decayed;
      if (g.hurdle) f.push(`${t.pop}hk:${a}`, n(g.hurdle.nonzero), `${t.pop}hl:${a}`, n(g.hurdle.logSum), `${t.pop}hq:${a}`, n(g.hurdle.logSumSq));
      if (d) f.push(...[['Dr', d.rewards], ['Ds', d.sum], ['Dq', d.sumSq], ['Dcn', d.costs], ['Dcs', d.costSum], ['Dcq', d.costSumSq], ['Dt', d.at]].flatMap(([name, v]) => [`${t.pop}${name}:${a}`, n(v as number)]));
    }
    await b.add((p) => p.hset(k.tallies(), ...f));
  }
  // Change detection (changes.lua): the rewards from before the last restart and the changes beside the
  // tallies; the detector (sqlite-changes.ts's doubles: testFrom, evidenceFrom, then glr.lua's packed segments).
  type ChangeRow = { arm: number; detector: Buffer; before_change: string | null; changes: string | null };
  for (const c of db.prepare('SELECT arm, detector, before_change, changes FROM change_state WHERE rid = ?').all(e.rid) as ChangeRow[]) {
    const a = armIds[c.arm];
    const old = c.before_change ? (JSON.parse(c.before_change) as { rewards: number; sum: number; sumSq: number }) : null;
    if (old) await b.add((p) => p.hset(k.tallies(), `bBr:${a}`, n(old.rewards), `bBs:${a}`, n(old.sum), `bBq:${a}`, n(old.sumSq)));
    const list = c.changes ? (JSON.parse(c.changes) as { detectedAt: number; at: number }[]) : [];
    if (list.length > 0) await b.add((p) => p.hset(k.tallies(), `bCh:${a}`, list.map((x) => `${n(x.detectedAt)},${n(x.at)}`).join(';')));
    await b.add((p) => p.hset(k.detectors(), `f:${a}`, `${n(c.detector.readDoubleLE(0))},${n(c.detector.readDoubleLE(8))}`, `g:${a}`, c.detector.subarray(16)));
  }
  await b.add((p) => p.hset(k.tallies(), 'b~ss', n(e.bss), 'b~nn', n(e.bnn), 'b~sn', n(e.bsn), 'h~ss', n(e.hss), 'h~nn', n(e.hnn), 'h~sn', n(e.hsn)));
  // A linear policy's sums (issue 23, linear.lua): the same packed doubles, by arm id.
  for (const r of db.prepare('SELECT arm, sums FROM linear_sums WHERE rid = ?').all(e.rid) as { arm: number; sums: Buffer }[]) {
    await b.add((p) => p.hset(k.linearSums(), armIds[r.arm], r.sums));
  }
  // ... and as of each arm's last restart (issue 24, changes.lua): ~<armId>.
  for (const r of db.prepare('SELECT arm, sums FROM linear_before WHERE rid = ?').all(e.rid) as { arm: number; sums: Buffer }[]) {
    await b.add((p) => p.hset(k.linearSums(), `~${armIds[r.arm]}`, r.sums));
  }

  // Guardrail windows (reward.lua): counters hash, and each arm's events "seq|latency|cost|error", oldest first.
  type Counter = { arm: number; latencies: number; cost_samples: number; cost_sum: number; errors: number; at_or_below: number; counted_for: number | null; next_seq: number };
  for (const c of db.prepare('SELECT * FROM window_counters WHERE rid = ?').all(e.rid) as Counter[]) {
    const a = armIds[c.arm];
    await b.add((p) => p.hset(k.windows(), `c:${a}`, n(c.cost_samples), `s:${a}`, n(c.cost_sum), `e:${a}`, n(c.errors), `q:${a}`, n(c.next_seq),
      `n:${a}`, n(c.latencies), `u:${a}`, n(c.at_or_below), `ul:${a}`, c.counted_for === null ? '' : n(c.counted_for)));
  }
  type WindowEvent = { arm: number; seq: number; latency: number | null; cost: number | null; error: number };
  const windowPage = db.prepare('SELECT * FROM window_events WHERE rid = ? AND (arm, seq) > (?, ?) ORDER BY arm, seq LIMIT ?');
  for (const rows of pages<WindowEvent>(windowPage, [e.rid], [-1, -1], (r) => [r.arm, r.seq])) {
    for (const w of rows) await b.add((p) => p.rpush(k.events(armIds[w.arm]), `${w.seq + 1}|${w.latency ?? ''}|${w.cost ?? ''}|${w.error}`));
  }

  // User records (assign.lua): per-epoch hashes, field stickyField(userId), packed '<Hddc1' (arm index from 1, expiresAt, propensity, population).
  type User = { user_id: string; arm: number; propensity: number; assigned_at: number; pop: string; expires_at: number };
  const userPage = db.prepare('SELECT * FROM users WHERE rid = ? AND expires_at > ? AND user_id > ? ORDER BY user_id LIMIT ?');
  for (const rows of pages<User>(userPage, [e.rid, now], [''], (r) => [r.user_id])) {
    for (const u of rows) {
      const { epoch, keyTtl } = stickyEpochs(u.assigned_at, config.stickyTtlSeconds);
      const entry = Buffer.alloc(19);
      entry.writeUInt16LE(u.arm + 1, 0);
      entry.writeDoubleLE(u.expires_at, 2);
      entry.writeDoubleLE(u.propensity, 10);
      entry.write(u.pop, 18, 'latin1');
      const key = k.sticky(epoch);
      await b.add((p) => p.hset(key, stickyField(u.user_id), entry).expire(key, Math.max(1, keyTtl - (now - u.assigned_at))));
    }
  }

  // Dedupe sets by the decision's issuedAt bucket (reward.lua); issuedAt = until - rewardWindowSeconds.
  const dedupePage = db.prepare('SELECT key, until FROM dedupe WHERE rid = ? AND key > ? ORDER BY key LIMIT ?');
  for (const rows of pages<{ key: string; until: number }>(dedupePage, [e.rid], [''], (r) => [r.key])) {
    for (const d of rows) {
      const { bucket, keyTtl } = dedupeBucket(d.until - config.rewardWindowSeconds, config.rewardWindowSeconds, now);
      await b.add((p) => p.sadd(k.dedupe(bucket), d.key).expire(k.dedupe(bucket), keyTtl));
    }
  }

  await copyMetrics(db, b, k, e.rid, armIds);

  // Per-user reward sums (reward.lua): field <pop><userKey>, packed '<dd' (S, N); the hash lives until sums_until.
  if (e.sums_until > now) {
    const sumsPage = db.prepare('SELECT key, s, n FROM user_sums WHERE rid = ? AND gen = ? AND key > ? ORDER BY key LIMIT ?');
    for (const rows of pages<{ key: string; s: number; n: number }>(sumsPage, [e.rid, e.sums_gen], [''], (r) => [r.key])) {
      for (const u of rows) {
        const packed = Buffer.alloc(16);
        packed.writeDoubleLE(u.s, 0);
        packed.writeDoubleLE(u.n, 8);
        await b.add((p) => p.hset(k.userSums(), u.key, packed).expire(k.userSums(), e.sums_until - now));
      }
    }
  }

  // Default rewards (assign.lua, reward.lua): the due set (redis-keys.ts dueMember) and the defaulted set.
  type Due = { key: string; arm: string; pop: string; issued_at: number; due_at: number; propensity: number; user_key: string | null };
  const duePage = db.prepare('SELECT * FROM due WHERE rid = ? AND key > ? ORDER BY key LIMIT ?');
  for (const rows of pages<Due>(duePage, [e.rid], [''], (r) => [r.key])) {
    for (const d of rows) await b.add((p) => p.zadd(k.due(), d.due_at, dueMember({ decisionKey: d.key, population: d.pop as Population, issuedAt: d.issued_at, armId: d.arm, propensity: d.propensity, userKey: d.user_key ?? undefined })));
  }
  for (const d of db.prepare('SELECT key, until FROM defaulted WHERE rid = ?').all(e.rid) as { key: string; until: number }[]) {
    await b.add((p) => p.zadd(k.defaulted(), d.until, d.key));
  }

  // The event log (assign.lua, reward.lua): stream entries with packed fields d / r, ids <ms>-<seq> in the log's order.
  type Event = { id: number; ms: number; type: number; arm: number; pop: string; nonce: string; issued_at: number; propensity: number; version: number;
    first: number; user_id: string | null; context: string | null; disabled: string | null; traceparent: string | null; propensities: string | null; excluded_by: string | null;
    reward: number | null; latency: number | null; cost: number | null; error: number; metadata: string | null; user_key: string | null; metrics: string | null };
  const eventPage = db.prepare('SELECT * FROM events WHERE rid = ? AND (ms, id) > (?, ?) ORDER BY ms, id LIMIT ?');
  let events = 0;
  let lastMs = -1;
  let seq = 0;
  for (const rows of pages<Event>(eventPage, [e.rid], [-1, -1], (r) => [r.ms, r.id])) {
    for (const ev of rows) {
      seq = ev.ms === lastMs ? seq + 1 : 0;
      lastMs = ev.ms;
      const f: string[] = [];
      if (ev.type === 0) {
        const packed = [ev.nonce, ev.arm + 1, ev.pop, ev.issued_at, n(ev.propensity), ev.version, ev.first, ev.disabled ?? ''].join(' ');
        f.push('d', ev.propensities ? `${packed} ${ev.propensities}` : packed);
        if (ev.user_id !== null) f.push('u', ev.user_id);
        if (ev.context !== null) f.push('c', ev.context);
        if (ev.traceparent !== null) f.push('w', ev.traceparent);
        if (ev.excluded_by !== null) f.push('x', ev.excluded_by);
      } else if (ev.type === 2) {
        // signal.lua (issue 22): g packs nonce, arm index, population, issuedAt, propensity, name, value
        const [[name, value]] = Object.entries(JSON.parse(ev.metrics!) as Record<string, number>);
        f.push('g', [ev.nonce, ev.arm + 1, ev.pop, ev.issued_at, n(ev.propensity), name, n(value)].join(' '));
        if (ev.user_key !== null) f.push('k', ev.user_key);
      } else {
        f.push('r', [ev.nonce, ev.arm + 1, ev.pop, ev.issued_at, n(ev.propensity), ev.reward ?? '', ev.latency ?? '', ev.cost ?? '', ev.error].join(' '));
        if (ev.metadata !== null) f.push('m', ev.metadata);
        if (ev.user_key !== null) f.push('k', ev.user_key);
        if (ev.metrics !== null) f.push('M', ev.metrics);
      }
      await b.add((p) => p.xadd(k.log(), `${ev.ms}-${seq}`, ...f));
      events += 1;
    }
  }
  await b.done();
  return events;
}

/**
 * Declared metrics (issue 22, lua/metrics.lua): the sums hash, field <pop>|<name>|<arm> packed
 * '<ddd' (n, sum, sum of squares), and each guarded metric's window w|<name>|<arm> (packed doubles,
 * oldest first) with its running sum ws|<name>|<arm>, and the user-level sums U|<pop>|<name>|<arm>
 * packed '<dddddd' (the layout before issue 26: metrics.lua reads it and folds a metric's two fields
 * into one C| field the next time it counts the metric). The dedupe records of signals (<decision key>|<name>) are rows of the dedupe
 * table, and the units' states rows of user_sums: both copied with the rewards'.
 */
async function copyMetrics(db: Database.Database, b: Batch, k: ExperimentKeys, rid: number, armIds: readonly string[]): Promise<void> {
  type Sums = { name: string; arm: number; pop: string; n: number; sum: number; sum_sq: number;
    units: number; u_sum: number; u_count: number; u_sum_sq: number; u_count_sq: number; u_cross: number };
  const pack = (xs: number[]): Buffer => {
    const packed = Buffer.alloc(8 * xs.length);
    xs.forEach((x, i) => packed.writeDoubleLE(x, 8 * i));
    return packed;
  };
  for (const r of db.prepare('SELECT * FROM metric_sums WHERE rid = ?').all(rid) as Sums[]) {
    const field = `${r.pop}|${r.name}|${armIds[r.arm]}`;
    await b.add((p) => p.hset(k.metricSums(), field, pack([r.n, r.sum, r.sum_sq])));
    if (r.pop !== 'x') await b.add((p) => p.hset(k.metricSums(), `U|${field}`, pack([r.units, r.u_sum, r.u_count, r.u_sum_sq, r.u_count_sq, r.u_cross])));
  }
  type Window = { name: string; arm: number; vals: Buffer; sum: number };
  for (const w of db.prepare('SELECT * FROM metric_windows WHERE rid = ?').all(rid) as Window[]) {
    const f = `${w.name}|${armIds[w.arm]}`;
    await b.add((p) => p.hset(k.metricSums(), `w|${f}`, w.vals, `ws|${f}`, String(w.sum)));
  }
}
