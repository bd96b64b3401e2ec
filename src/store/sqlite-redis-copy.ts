/**
 * Copies everything the SQLite store holds into an empty Redis under `prefix`, in the Redis
 * store's layout (redis-keys.ts): experiments with their tallies, windows, user records, dedupe
 * sets (signals' included), per-user sums, default-reward sets, metric sums and windows, and event
 * log with reward metrics and signals (sqlite-redis-experiment.ts), history,
 * API keys and the decision secret. All is read in one read transaction: a consistent snapshot,
 * even while a service still writes (what it writes after is not copied: stop it first).
 */
import type Database from 'better-sqlite3';
import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-store.js';
import { encodeClaim } from './layer-claims.js';
import { ExperimentKeys, apiKeyKeys, layerKey, secretKey } from './redis-keys.js';
import { copyExperiment, type ExperimentRow } from './sqlite-redis-experiment.js';

export interface CopySummary { experiments: number; events: number; apiKeys: number; historyPoints: number; secret: boolean }

/** Thrown when the target already holds keys under the prefix: the copy goes into an empty Redis only. */
export class TargetNotEmptyError extends Error {}

/** How many keys exist under `prefix` (on every master of a cluster), up to the first scan page's worth. */
async function keysUnder(client: RedisClient, prefix: string): Promise<number> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let found = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found += keys.length;
    } while (cursor !== '0' && found === 0);
  }
  return found;
}

export async function copySqliteToRedis(db: Database.Database, client: RedisClient, prefix: string, now = Math.floor(Date.now() / 1000)): Promise<CopySummary> {
  if (await keysUnder(client, prefix) > 0) throw new TargetNotEmptyError(`Redis already holds keys under the prefix '${prefix}': migrate into an empty Redis (or another REDIS_PREFIX)`);
  const summary: CopySummary = { experiments: 0, events: 0, apiKeys: 0, historyPoints: 0, secret: false };
  db.exec('BEGIN'); // one read snapshot for everything below
  try {
    for (const e of db.prepare('SELECT * FROM experiments ORDER BY id').all() as ExperimentRow[]) {
      summary.events += await copyExperiment(db, client, prefix, e, now);
      summary.experiments += 1;
    }
    // History (history-point.lua): per experiment a sorted set, score ts, member the point's JSON.
    const historyPage = db.prepare('SELECT exp, ts, point FROM history WHERE (exp, ts) > (?, ?) ORDER BY exp, ts LIMIT 1000');
    for (let at: [string, number] = ['', -1]; ;) {
      const rows = historyPage.all(...at) as { exp: string; ts: number; point: string }[];
      if (rows.length === 0) break;
      const p = client.pipeline();
      for (const r of rows) p.zadd(new ExperimentKeys(prefix, r.exp).history(), r.ts, r.point);
      await p.exec();
      summary.historyPoints += rows.length;
      at = [rows[rows.length - 1].exp, rows[rows.length - 1].ts];
    }
    // Layer claims (claim-layer.lua): per layer a hash, experimentId -> "from to endsAtMs|-".
    type Claim = { layer_id: string; experiment_id: string; range_from: number; range_to: number; ends_at_ms: number | null };
    for (const r of db.prepare('SELECT * FROM layer_claims').all() as Claim[]) {
      await client.hset(layerKey(prefix, r.layer_id), r.experiment_id, encodeClaim({ experimentId: r.experiment_id, range: [r.range_from, r.range_to], endsAtMs: r.ends_at_ms }));
    }
    // API keys (api-key-change.lua): records without lastUsedAt, the last-used hash, the version.
    const k = apiKeyKeys(prefix);
    type Key = { id: string; scope: string; name: string; hash: string; created_at: string };
    for (const r of db.prepare('SELECT * FROM api_keys').all() as Key[]) {
      await client.hset(k.all, r.id, JSON.stringify({ id: r.id, scope: r.scope, name: r.name, hash: r.hash, createdAt: r.created_at }));
      summary.apiKeys += 1;
    }
    for (const r of db.prepare('SELECT id, at FROM api_keys_used').all() as { id: string; at: string }[]) await client.hset(k.used, r.id, r.at);
    const meta = (key: string): string | undefined => (db.prepare('SELECT v FROM meta WHERE k = ?').get(key) as { v: string } | undefined)?.v;
    const version = meta('keys_version');
    if (version !== undefined) await client.set(k.version, version);
    const secret = meta('secret');
    if (secret !== undefined) {
      await client.set(secretKey(prefix), secret);
      summary.secret = true;
    }
  } finally {
    db.exec('COMMIT');
  }
  return summary;
}
