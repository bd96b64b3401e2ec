/** Adds up the measured runs of one bench/serving/http.ts target: rate, latency percentiles, errors, CPU. */
import type { LoadResult } from './http-load.js';

/** The counts of the runs, added up, and what follows from them. */
export interface Summary extends Pick<LoadResult, 'requests' | 'seconds' | 'errors' | 'timeouts' | 'non2xx' | 'statusCodes'> {
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  meanBytes: number;
  /**
   * Cores used on average (1 = one core all the time): generator, server, redis when sampled,
   * `others` (the machine's busy time not accounted for by these), machineBusy and machineSteal.
   */
  cores: Record<string, number>;
  /** Server CPU time (all its threads) per answer. */
  serverCpuUsPerRequest: number;
}

/** The q-quantile by nearest rank, in milliseconds, of a latency histogram sorted by bucket (buckets of 10 microseconds). */
export function nearestRank(buckets: [number, number][], q: number): number {
  const rank = Math.ceil(q * buckets.reduce((a, [, c]) => a + c, 0));
  let seen = 0;
  for (const [b, c] of buckets) if ((seen += c) >= rank) return b / 100;
  return NaN;
}

export function summarise(runs: LoadResult[]): Summary {
  const sum = (f: (r: LoadResult) => number): number => runs.reduce((a, r) => a + f(r), 0);
  const hist = new Map<number, number>();
  for (const r of runs) for (const [b, c] of r.histogram) hist.set(b, (hist.get(b) ?? 0) + c);
  const buckets = [...hist].sort((a, b) => a[0] - b[0]);
  const quantile = (q: number): number => nearestRank(buckets, q);
  const wall = sum((r) => r.wallSeconds);
  const cores = Object.fromEntries(Object.keys(runs[0].cpuSeconds).map((k) => [k, sum((r) => r.cpuSeconds[k]) / wall]));
  const processes = Object.entries(cores).filter(([k]) => !k.startsWith('machine') && !k.includes('.')).reduce((a, [, v]) => a + v, 0);
  cores.others = cores.machineBusy - processes;
  const statusCodes: Record<string, number> = {};
  for (const r of runs) for (const [code, c] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + c;
  const requests = sum((r) => r.requests);
  return {
    requests, seconds: sum((r) => r.seconds), rps: requests / sum((r) => r.seconds),
    p50: quantile(0.5), p99: quantile(0.99), p999: quantile(0.999), max: buckets.length ? buckets[buckets.length - 1][0] / 100 : NaN,
    errors: sum((r) => r.errors), timeouts: sum((r) => r.timeouts), non2xx: sum((r) => r.non2xx), statusCodes,
    meanBytes: sum((r) => r.bytes) / requests, cores,
    serverCpuUsPerRequest: (1e6 * sum((r) => r.cpuSeconds.server)) / requests,
  };
}
