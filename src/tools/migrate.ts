/**
 * `npm run migrate -- --to <REDIS_URL>`: copies the SQLite store of DATA_DIR into an empty Redis
 * (under REDIS_PREFIX), for a team that outgrows one process. Stop the service first; then start it
 * with REDIS_URL (and the same REDIS_PREFIX): it answers as before, with the same experiments,
 * tallies, sticky users, API keys, decision secret (old decision ids stay valid) and event log.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { databaseFile } from '../store/create-store.js';
import { createRedisClient } from '../store/redis-connect.js';
import { copySqliteToRedis } from '../store/sqlite-redis-copy.js';
import { openDatabase } from '../store/sqlite-schema.js';

function fail(message: string): never {
  process.stderr.write(`migrate: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const to = args[0] === '--to' && args.length === 2 ? args[1] : undefined;
if (!to) fail('usage: npm run migrate -- --to <REDIS_URL>   (copies DATA_DIR/bandit.db into an empty Redis, under REDIS_PREFIX)');
const config = loadConfig();
const source = databaseFile(config.DATA_DIR);
if (!existsSync(source)) fail(`no database at ${resolve(source)} (set DATA_DIR to the service's)`);

let db: ReturnType<typeof openDatabase>;
try {
  db = openDatabase(source, { readonly: true });
} catch (err) {
  fail((err as Error).message);
}
const client = createRedisClient(to, 10_000);
client.on('error', () => {});
try {
  await new Promise<void>((ready, reject) => {
    client.once('ready', ready);
    setTimeout(() => reject(new Error(`Redis at ${to} did not answer within 10 s`)), 10_000).unref();
  });
  const s = await copySqliteToRedis(db, client, config.REDIS_PREFIX);
  process.stdout.write(`migrate: ${resolve(source)} -> ${to} prefix '${config.REDIS_PREFIX}': ${s.experiments} experiments, ${s.events} events, `
    + `${s.historyPoints} history points, ${s.apiKeys} API keys, secret ${s.secret ? 'copied' : 'none (DECISION_SECRET was set?)'}\n`);
} catch (err) {
  fail((err as Error).message);
} finally {
  db.close();
  client.disconnect();
}
