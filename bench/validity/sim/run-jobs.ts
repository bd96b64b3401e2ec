/** Shared by the regret tables: a pool of worker threads fed one job at a time, and the summary of a sample. */
import { execSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { meanAndStandardError } from '../../../src/bandit/stats.js';

/** Runs every job on `workers` threads started from `bootUrl`, handing out the next job to whichever thread is free. */
export async function runJobs<J, R extends { id: number }>(bootUrl: URL, workers: number, jobs: J[], onResult: (job: J, res: R) => void): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: workers }, () => new Promise<void>((resolve, reject) => {
    const w = new Worker(bootUrl);
    const feed = () => {
      if (next < jobs.length) w.postMessage(jobs[next++]);
      else void w.terminate().then(() => resolve());
    };
    w.on('message', (res: R) => { onResult(jobs[res.id], res); feed(); });
    w.on('error', reject);
    w.on('exit', (code) => { if (code !== 0 && code !== 1) reject(new Error(`worker exited with code ${code}`)); });
    feed();
  })));
}

export interface Summary { mean: number; se: number }

export const summarize = (xs: ArrayLike<number>): Summary => meanAndStandardError(xs);

export const fmt = (x: number, digits = 1): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const pm = (s: Summary): string => `${fmt(s.mean)} ± ${fmt(s.se, s.se < 1 ? 2 : 1)}`;

export function gitDescription(): string {
  try {
    const head = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain', { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} plus uncommitted changes` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
