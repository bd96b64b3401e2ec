/**
 * One worker process of test/event-log-concurrency.test.ts (run with `node --import tsx`): its own
 * store clients (a patient one, and an impatient one with a 1 ms command timeout) on one Redis or
 * Redis Cluster. Protocol over IPC: parent -> {job}; worker -> 'ready'; parent -> 'go'; worker -> {result}.
 */
import { createRedisClient, firstConnection } from '../../src/store/redis-connect.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { runOps, type Op } from './event-log-ops.js';

export interface LogJob { url: string; prefix: string; ops: Op[]; inFlight: number }

const send = (msg: unknown): Promise<void> => new Promise((resolve, reject) => process.send!(msg, (err: Error | null) => (err ? reject(err) : resolve())));

process.once('message', async (job: LogJob) => {
  const client = createRedisClient(job.url, 5000);
  const hasty = createRedisClient(job.url, 1);
  const store = new RedisStore(client, { prefix: job.prefix, commandTimeoutMs: 5000 });
  const impatient = new RedisStore(hasty, { prefix: job.prefix, commandTimeoutMs: 1 });
  await firstConnection(client, 5000);
  await firstConnection(hasty, 5000);
  await send('ready');
  await new Promise((resolve) => process.once('message', resolve));
  const result = await runOps(store, impatient, job.ops, 64);
  await store.close();
  await impatient.close();
  await send(result);
  process.exit(0);
});
