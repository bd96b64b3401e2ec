/**
 * Issue 19 item 2: the service under `ulimit -n 1024` (the embedded store, default connection limits
 * unless overridden by the environment) against 1,100 connections from 127.0.0.2 that send the
 * headers of a POST /select and then one body byte every second; meanwhile 75 new callers from
 * 127.0.0.1, one every 200 ms, each a POST /select. Prints how many callers were served within 1 s,
 * and how many trickling connections are still open as time passes (the request timeout cuts them).
 *
 *   npm run bench:serving -- slow-connections            (SLOW=1100 CALLERS=75 WATCH_S=40 to change the run)
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { freePort, waitFor } from '../../test/helpers/redis.js';

const SLOW = Number(process.env.SLOW ?? 1100);
const CALLERS = Number(process.env.CALLERS ?? 75);
const WATCH_S = Number(process.env.WATCH_S ?? 40);
const ROOT = new URL('../..', import.meta.url).pathname;

const port = await freePort();
const { REDIS_URL: _r, ...env } = process.env;
const child = spawn('bash', ['-c', `ulimit -n 1024 && exec "${process.execPath}" --import tsx src/main.ts`], {
  cwd: ROOT, env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', STORE: 'memory' }, stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
try {
  await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.ok === true, 30_000, 'the service');
  const created = await fetch(`${base}/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'exp', arms: [{ id: 'a' }, { id: 'b' }], rewardModel: 'bernoulli' }) });
  if (created.status !== 201) throw new Error(`create: ${created.status}`);

  const start = Date.now();
  const open = new Set<Socket>();
  let answered408 = 0;
  for (let i = 0; i < SLOW; i++) {
    const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
    s.on('error', () => {});
    s.on('connect', () => {
      open.add(s);
      s.write(`POST /select HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
      const timer = setInterval(() => s.write(' '), 1000);
      s.on('close', () => clearInterval(timer));
    });
    s.on('data', (d) => { if (String(d).startsWith('HTTP/1.1 408')) answered408++; });
    s.on('close', () => open.delete(s));
  }
  await new Promise((r) => setTimeout(r, 2000));
  const openAfter2s = open.size;

  const latencies: (number | null)[] = [];
  const calls: Promise<void>[] = [];
  for (let i = 0; i < CALLERS; i++) {
    const t0 = Date.now();
    calls.push(fetch(`${base}/select`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experimentId: 'exp', userId: `u${i}` }), signal: AbortSignal.timeout(15_000) })
      .then((r) => { latencies[i] = r.status === 200 ? Date.now() - t0 : null; }, () => { latencies[i] = null; }));
    await new Promise((r) => setTimeout(r, 200));
  }
  await Promise.all(calls);
  const ok = latencies.filter((l): l is number => l !== null).sort((a, b) => a - b);
  const within1s = ok.filter((l) => l <= 1000).length;

  const openAt: Record<string, number> = {};
  for (const s of [20, 29, 32, WATCH_S]) {
    const wait = start + s * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    openAt[`${s}s`] = open.size;
  }
  for (const s of open) s.destroy();
  console.log(JSON.stringify({
    slowConnections: SLOW, openAfter2s, callers: CALLERS, served: ok.length, servedWithin1s: within1s,
    p50Ms: ok[Math.floor(ok.length / 2)] ?? null, maxMs: ok.at(-1) ?? null, trickling408: answered408, stillOpen: openAt,
  }, null, 1));
} finally {
  child.kill('SIGTERM');
}
