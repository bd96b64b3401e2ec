/** The real process (`tsx src/main.ts`) on a free port, with its logs collected, for the tests that use it as a client would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './redis.js';

export interface ServiceProcess {
  child: ChildProcess;
  base: string;
  port: number;
  /** Everything written to stdout and stderr so far. */
  logs(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Starts the service with `env` over the test's environment (REDIS_URL removed unless given: the
 * SQLite store, in a temp DATA_DIR removed when the process exits, unless env names one).
 */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const { REDIS_URL: _unused, STORE: _store, DATA_DIR: _dir, ...inherited } = process.env;
  const tempDir = env.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), 'bandit-data-')) : null;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: new URL('../..', import.meta.url), stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...inherited, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...(tempDir && { DATA_DIR: tempDir }), ...env },
  });
  if (tempDir) child.once('exit', () => rmSync(tempDir, { recursive: true, force: true }));
  let logs = '';
  child.stdout!.on('data', (d) => { logs += d; });
  child.stderr!.on('data', (d) => { logs += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, base: `http://127.0.0.1:${port}`, port, logs: () => logs, exited };
}

export interface ListeningService {
  baseUrl: string;
  logs(): string;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

/** Starts the service (LOG_LEVEL warn unless given) and resolves once /health answers. */
export async function startListeningService(env: Record<string, string> = {}): Promise<ListeningService> {
  const s = await startService({ LOG_LEVEL: 'warn', ...env });
  try {
    await waitFor(async () => {
      if (s.child.exitCode !== null) throw new Error(`the service exited with code ${s.child.exitCode}:\n${s.logs()}`);
      return (await fetch(`${s.base}/health`).catch(() => null))?.ok === true;
    }, 30_000, 'the service to listen');
  } catch (err) {
    s.child.kill('SIGKILL');
    throw err;
  }
  return {
    baseUrl: s.base,
    logs: s.logs,
    stop: async () => {
      if (s.child.exitCode === null) s.child.kill('SIGTERM');
      return s.exited;
    },
  };
}
