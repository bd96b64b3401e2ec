/**
 * Runs worker processes together (`node --import tsx <file>`), one job each, over IPC:
 * parent -> job; worker -> 'ready'; parent -> 'go' (to all at once); worker -> result.
 */
import { fork } from 'node:child_process';

export async function runWorkerProcesses<Job, Result>(file: string, jobs: Job[]): Promise<Result[]> {
  const workers = jobs.map(() => fork(file, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' }));
  const message = (w: (typeof workers)[number]): Promise<unknown> => new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('exit', (code) => reject(new Error(`worker exited with code ${code}`)));
  });
  try {
    await Promise.all(workers.map((w, i) => {
      const ready = message(w);
      w.send(jobs[i] as object);
      return ready;
    }));
    const results = workers.map(message);
    for (const w of workers) w.send('go');
    return (await Promise.all(results)) as Result[];
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill();
  }
}
