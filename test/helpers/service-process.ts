/** The real service process (src/main.ts under tsx) on a free port, for tests that use it as a client would. */
import { spawn } from 'node:child_process';
import { freePort, waitFor } from './redis.js';

export interface ServiceProcess {
  baseUrl: string;
  /** Everything it wrote to stdout and stderr. */
  logs(): string;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

/** Starts the service with `env` on top of this process's environment (REDIS_URL removed unless given). */
export async function startService(env: Record<string, string> = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const { REDIS_URL: _unused, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: new URL('../..', import.meta.url), env: { ...inherited, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout.on('data', (d) => { logs += d; });
  child.stderr.on('data', (d) => { logs += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`the service exited with code ${child.exitCode}:\n${logs}`);
      return (await fetch(`${baseUrl}/health`).catch(() => null))?.ok === true;
    }, 30_000, 'the service to listen');
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    baseUrl,
    logs: () => logs,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
