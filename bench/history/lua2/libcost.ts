import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import { prelude, readLua, rewardScript } from '/work/wt/lua2/src/store/redis-scripts.js';
const PORT = 6402, N = Number(process.env.N ?? 20000), REPS = Number(process.env.REPS ?? 3);
const server = spawn('redis-server', ['--port', String(PORT), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const c = new Redis(`redis://127.0.0.1:${PORT}`);
const libs = [prelude(), ...['glr', 'changes', 'metrics', 'linear', 'engine-sums', 'guardrail-window'].map(readLua)].join('\n');
const variants: Record<string, string> = { empty: 'return 1', libs: libs + '\nreturn 1', prelude: prelude() + '\nreturn 1', rewardWrapped: rewardScript().replace("local reply = reward_step()", "local reply = 1") };
const out: Record<string, number[]> = {};
for (let r = 0; r < REPS; r++) for (const [k, s] of Object.entries(variants)) {
  const sha = (await c.script('LOAD', s)) as string;
  await c.config('RESETSTAT');
  const p = []; for (let i = 0; i < N; i++) p.push(c.evalsha(sha, 0)); await Promise.all(p);
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await c.info('commandstats'))!;
  (out[k] ??= []).push(+(Number(m[2]) / Number(m[1])).toFixed(2));
}
const { readFileSync } = await import('node:fs');
console.log(JSON.stringify({ n: N, load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '), usecPerCall: out }));
await c.quit(); server.kill();
