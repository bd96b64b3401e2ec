/**
 * Issues 22 and 25: the fixed cost of a script's libraries. Every EVALSHA runs the script's top level
 * again, so the libraries prepended to reward.lua (lib.lua with the CODE table, glr.lua, changes.lua,
 * metrics.lua, linear.lua, engine-sums.lua, guardrail-window.lua) create their local functions on
 * every call. Redis time per call (INFO commandstats, EVALSHA usec / calls) of: an empty script, the
 * prelude alone, each library alone, all of them, and the whole reward script with its body defined
 * but not run. A private redis-server (REDIS_PORT, default 6402); N calls per variant, pipelined,
 * REPS rounds; medians printed.
 *
 *   flock /tmp/heavy.lock npx tsx bench/serving/lua-fixed-cost.ts
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { prelude, readLua, rewardScript } from '../../src/store/redis-scripts.js';
const PORT = Number(process.env.REDIS_PORT ?? 6402), N = Number(process.env.N ?? 20000), REPS = Number(process.env.REPS ?? 3);
const server = spawn('redis-server', ['--port', String(PORT), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const c = new Redis(`redis://127.0.0.1:${PORT}`);
const names = ['glr', 'changes', 'metrics', 'linear', 'engine-sums', 'guardrail-window'];
const libs = [prelude(), ...names.map(readLua)].join('\n');
const variants: Record<string, string> = { empty: 'return 1', prelude: prelude() + '\nreturn 1', libs: libs + '\nreturn 1', rewardScriptBodyNotRun: rewardScript().replace('local reply = reward_step()', 'local reply = 1') };
for (const n of names) variants[n] = readLua(n) + '\nreturn 1';
const out: Record<string, number[]> = {};
for (let r = 0; r < REPS; r++) for (const [k, s] of Object.entries(variants)) {
  const sha = (await c.script('LOAD', s)) as string;
  await c.config('RESETSTAT');
  const p = []; for (let i = 0; i < N; i++) p.push(c.evalsha(sha, 0)); await Promise.all(p);
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await c.info('commandstats'))!;
  (out[k] ??= []).push(+(Number(m[2]) / Number(m[1])).toFixed(2));
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ n: N, reps: REPS, load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '), medianUsecPerCall: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, med(v)])), rounds: out }));
await c.quit(); server.kill();
