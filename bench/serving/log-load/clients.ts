/**
 * The callers of bench/serving/log-load.ts, in a process of their own (so the service's event loop is the
 * only thing on the bench process's): /select in a closed loop on CONNECTIONS connections for
 * SECONDS, and with READS=1 also 20 exports, 20 one-line filtered pages and 2 evaluates started at
 * once (exports cut when the window ends). Prints a JSON line of latencies.
 */
const base = process.env.BASE!;
const seconds = Number(process.env.SECONDS ?? 20);
const connections = Number(process.env.CONNECTIONS ?? 4);
const reads = process.env.READS === '1';
const q = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];

const end = Date.now() + seconds * 1000;
const abort = new AbortController();
const select: number[] = [];
let errors = 0;
async function loop(i: number): Promise<void> {
  for (let n = 0; Date.now() < end; n++) {
    const t0 = performance.now();
    const res = await fetch(`${base}/select`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experimentId: 'live', userId: `c${i}-${n}` }) }).catch(() => null);
    if (res?.status === 200) { await res.arrayBuffer(); select.push(performance.now() - t0); } else errors++;
  }
}
const timed = async (url: string, init?: RequestInit): Promise<number | null> => {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: abort.signal });
    const reader = res.body!.getReader();
    for (;;) if ((await reader.read()).done) break;
    return res.status === 200 ? performance.now() - t0 : null;
  } catch {
    return null; // cut at the end of the window
  }
};
const readers: Promise<number | null>[] = [];
const only = process.env.ONLY; // export | filtered | evaluate: one kind of read alone (to find what costs)
if (reads) {
  for (let i = 0; i < 20; i++) readers.push(only && only !== 'export' ? Promise.resolve(null) : timed(`${base}/experiments/big/events`));
  for (let i = 0; i < 20; i++) readers.push(only && only !== 'filtered' ? Promise.resolve(null) : timed(`${base}/experiments/big/events?type=reward&limit=1`));
  for (let i = 0; i < 2; i++) if (only && only !== 'evaluate') readers.push(Promise.resolve(null)); else readers.push(timed(`${base}/experiments/big/evaluate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"policy":{"kind":"greedy"}}' }));
}
await Promise.all(Array.from({ length: connections }, (_, i) => loop(i)));
abort.abort();
const done = await Promise.all(readers);
select.sort((a, b) => a - b);
const ms = (x: number | null | undefined) => (x == null ? null : +x.toFixed(1));
console.log(JSON.stringify({
  selects: select.length, errors, p50: ms(q(select, 0.5)), p99: ms(q(select, 0.99)), max: ms(select.at(-1)),
  ...(reads && {
    exportsFinished: done.slice(0, 20).filter((d) => d !== null).length,
    filteredPagesMs: done.slice(20, 40).map(ms), evaluatesMs: done.slice(40).map(ms),
  }),
}));
