/**
 * What scheduling a default reward in assign.lua costs Redis (issue 11), on a private redis-server
 * (nothing else runs commands on it, so INFO commandstats is this benchmark's alone):
 *
 *   before  assign.lua of BASE (git show; it ignores the due key and the two new arguments), then
 *           for a default the separate ZADD the service sent after it (RedisStore.scheduleDefaultReward)
 *   after   today's assign.lua, the due entry written inside it
 *
 * each without and with a default, alternating rounds of CALLS calls (50 in flight) after CONFIG
 * RESETSTAT; Redis µs per decision = usec of evalsha (+ usec of zadd) / calls, median (min-max).
 *
 *   flock /tmp/heavy.lock npx tsx bench/assign-default-cost.ts   (BASE=<commit>, default 1bb9ab1)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { newNonce } from '../src/assignment/decision-token.js';
import { connectRedisStore } from '../src/store/redis-connect.js';
import type { RedisStore } from '../src/store/redis-store.js';
import type { AssignInput } from '../src/store/store.js';
import type { ExperimentConfig } from '../src/contract/domain.js';
import { startRedisServer } from '../test/helpers/redis.js';

const CALLS = Number(process.env.CALLS ?? 20_000);
const REPS = Number(process.env.REPS ?? 5);
const BASE = process.env.BASE ?? '1bb9ab1';
const NOW = Math.floor(Date.now() / 1000);
const iso = new Date(NOW * 1000).toISOString();
const config: ExperimentConfig = {
  id: 'cost', arms: ['control', 'structured', 'large'].map((a) => ({ id: a })), baselineArmId: 'control', rewardModel: 'bernoulli', prior: { alpha: 1, beta: 1 },
  policy: 'thompson', holdbackPercent: 10, trafficPercent: 100, stickiness: true, stickyTtlSeconds: 30 * 86400, rewardWindowSeconds: 7 * 86400,
  guardrails: null, endsAt: null, seed: null, status: 'active', createdAt: iso, updatedAt: iso, defaultReward: { afterSeconds: 3600, value: 0 },
};
/** As bench:event-log's: 50,000 users, so most decisions after the first round are sticky. */
const assignInput = (i: number, withDefault: boolean): AssignInput => ({
  experimentId: 'cost', version: 1, population: 'b', armId: ['structured', 'large'][i % 2], propensity: 0.4123456789, userId: `user-${i % 50_000}`,
  sticky: true, stickyTtlSeconds: 30 * 86400, now: NOW, withStats: false,
  log: { nonce: newNonce(), nowMs: NOW * 1000, disabledArms: '', retentionSeconds: 30 * 86400 },
  ...(withDefault && { defaultReward: { dueAt: NOW + 3600, userKey: `uk${i % 50_000}`.padEnd(12, '0') } }),
});

const server = await startRedisServer();
const admin = new Redis(server.url);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const after = await connectRedisStore(server.url, { prefix: 'after:', commandTimeoutMs: 10_000 });
  const before = await connectRedisStore(server.url, { prefix: 'before:', commandTimeoutMs: 10_000 });
  const client = (before as unknown as { client: Redis }).client;
  client.defineCommand('banditAssign', { numberOfKeys: 7, lua: execFileSync('git', ['show', `${BASE}:src/store/lua/assign.lua`], { encoding: 'utf8' }) });
  for (const s of [after, before]) await s.createExperiment(config);
  /** The old path: assign, then the due entry as a second call (the member RedisStore's dueMember wrote). */
  const oldPath = async (i: number, withDefault: boolean): Promise<void> => {
    const input = assignInput(i, withDefault);
    const res = await before.assign({ ...input, defaultReward: undefined });
    if (!withDefault || res.kind !== 'served') return;
    const d = input.defaultReward!;
    await client.zadd(`before:{exp:cost}:dd`, d.dueAt, `${input.log.nonce}|b|${NOW}|${res.armId}|${res.propensity}|${d.userKey}`);
  };
  /** Redis's process CPU (user + sys, INFO cpu), which also counts reading, parsing and answering each command. */
  const cpuUs = async (): Promise<number> => {
    const info = await admin.info('cpu');
    return 1e6 * (Number(/used_cpu_user:([\d.]+)/.exec(info)![1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)![1]));
  };
  const perDecision = async (f: (i: number) => Promise<unknown>): Promise<[number, number]> => {
    await admin.config('RESETSTAT');
    const cpu0 = await cpuUs();
    for (let i = 0; i < CALLS; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => f(i + j)));
    const cpu = (await cpuUs()) - cpu0;
    const stats = await admin.info('commandstats');
    const usec = (cmd: string): number => Number(new RegExp(`cmdstat_${cmd}:calls=\\d+,usec=(\\d+)`).exec(stats)?.[1] ?? 0);
    return [(usec('evalsha') + usec('zadd')) / CALLS, cpu / CALLS];
  };
  const names = ['beforeNo', 'afterNo', 'beforeDefault', 'afterDefault'] as const;
  const t = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<(typeof names)[number], number[]>;
  const c = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<(typeof names)[number], number[]>;
  const runs: Record<(typeof names)[number], (i: number) => Promise<unknown>> = {
    beforeNo: (i) => oldPath(i, false), afterNo: (i) => (after as RedisStore).assign(assignInput(i, false)),
    beforeDefault: (i) => oldPath(i, true), afterDefault: (i) => (after as RedisStore).assign(assignInput(i, true)),
  };
  for (let rep = 0; rep < REPS; rep++) {
    for (const n of names) {
      const [u, p] = await perDecision(runs[n]);
      t[n].push(u);
      c[n].push(p);
    }
  }
  const due = await admin.zcard('after:{exp:cost}:dd');
  if (due !== REPS * CALLS) throw new Error(`expected ${REPS * CALLS} due entries after, found ${due}`);
  await after.close();
  await before.close();
  const git = (...args: string[]): string => spawnSync('git', args, { encoding: 'utf8' }).stdout.trim();
  const fmt = (xs: number[]): string => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`;
  console.log(`\n## assign.lua with the default reward's due entry (bench/assign-default-cost.ts)\n\ncommit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? ' (uncommitted changes)' : ''} against assign.lua of ${BASE}; `
    + `Redis ${/redis_version:(\S+)/.exec(await admin.info('server'))![1]} (private server), Node ${process.version}; CALLS=${CALLS} REPS=${REPS}\n`);
  console.log('Redis µs per decision (INFO commandstats: usec of evalsha + zadd over the calls), median (min-max) of the alternating rounds, 50 in flight:\n');
  console.log('| decision | before: assign.lua (+ ZADD, a second call) | after: assign.lua alone | change |');
  console.log('|---|--:|--:|--:|');
  const row = (label: string, x: Record<string, number[]>, no: string, yes: string): string =>
    `| ${label} | ${fmt(x[no])} | ${fmt(x[yes])} | ${(100 * (median(x[yes]) / median(x[no]) - 1)).toFixed(0)}% |`;
  console.log(row('no defaultReward', t, 'beforeNo', 'afterNo'));
  console.log(row('with defaultReward', t, 'beforeDefault', 'afterDefault'));
  console.log('\nRedis process CPU per decision (INFO cpu used_cpu_user + used_cpu_sys over the round / calls, µs; it also counts reading, parsing and answering each command):\n');
  console.log('| decision | before | after | change |');
  console.log('|---|--:|--:|--:|');
  console.log(row('no defaultReward', c, 'beforeNo', 'afterNo'));
  console.log(row('with defaultReward', c, 'beforeDefault', 'afterDefault'));
} finally {
  await admin.quit();
  await server.destroy();
}
process.exit(0);
