/**
 * The processes of bench/serving/http.ts: building, starting and stopping servers (each a `node` child with
 * its output in a log file), the load generator's process, optional CPU pinning, and small HTTP calls.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../test/helpers/redis.js';
import type { LoadOutput, LoadSpec } from './http-load.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
/** Where the ceiling is compiled to (inside the repository, so that it finds node_modules). */
export const CEILING_JS = join(ROOT, 'node_modules/.cache/bench-http/http-ceiling.js');

/** With `pin`, `node args` runs under `taskset -c cpu` (taskset execs node: the pid stays node's). */
export function nodeCommand(args: string[], pin: { cpu: number } | null): [string, string[]] {
  return pin ? ['taskset', ['-c', String(pin.cpu), process.execPath, ...args]] : [process.execPath, args];
}

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
}

/** `npm run build` (dist/), and the ceiling compiled by tsc into plain JS, so both servers run under plain `node`. */
export function build(): void {
  sh('npm', ['run', 'build', '--silent']);
  sh(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), 'bench/serving/http-ceiling.ts', '--outDir', join(CEILING_JS, '..'),
    '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--strict', '--skipLibCheck', '--types', 'node']);
}

export interface Server { name: string; url: string; proc: ChildProcess; log: string }

export interface ServerOptions {
  env: Record<string, string>;
  logDir: string;
  pin: { cpu: number } | null;
  /** Run under `node --cpu-prof`, writing `<name>.cpuprofile` here. */
  cpuProfDir?: string;
  /** Extra node flags (SERVER_NODE_FLAGS), given to every server alike, the ceiling included. */
  nodeFlags?: string[];
}

/** Starts `node script` on a free port and waits until GET /health answers. REDIS_URL is passed only when given in `env`. */
export async function startServer(name: string, script: string, opts: ServerOptions): Promise<Server> {
  const port = await freePort();
  const log = join(opts.logDir, `${name}.log`);
  const fd = openSync(log, 'w');
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...opts.env };
  if (!opts.env.REDIS_URL) delete env.REDIS_URL;
  const prof = opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir, '--cpu-prof-name', `${name}.cpuprofile`] : [];
  const proc = spawn(...nodeCommand([...prof, ...(opts.nodeFlags ?? []), script], opts.pin), { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 15_000; ;) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with code ${proc.exitCode}; see ${log}`);
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`${name} did not answer /health in 15 s; see ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, url, proc, log };
}

/** SIGTERM (the service closes gracefully, and a --cpu-prof profile is written), then waits for the exit. */
export async function stopServer(s: Server): Promise<void> {
  if (s.proc.exitCode !== null) return;
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  await exited;
}

/** The lines a server wrote (at its LOG_LEVEL or above). */
export const logLines = (s: Server): string[] => readFileSync(s.log, 'utf8').split('\n').filter(Boolean);

export async function call(s: Server, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const r = await fetch(`${s.url}${path}`, {
    method, ...(body !== undefined && { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: r.status, text: await r.text() };
}

/** One load process (bench/serving/http-load.ts, run by tsx): its output line. */
export async function runLoad(spec: LoadSpec, pin: { cpu: number } | null): Promise<LoadOutput> {
  const child = spawn(...nodeCommand(['--import', 'tsx', 'bench/serving/http-load.ts'], pin), {
    cwd: ROOT, env: { ...process.env, BENCH_LOAD: JSON.stringify(spec) }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`the load generator failed (exit code ${code}) against ${spec.url}${spec.path}`);
  return JSON.parse(out.trim().split('\n').pop()!) as LoadOutput;
}

/** The pid of the Redis server when it runs on this machine (its CPU is then sampled), else null. */
export async function localRedisPid(url: string): Promise<number | null> {
  const admin = new Redis(url, { lazyConnect: true });
  try {
    await admin.connect();
    const pid = Number(/process_id:(\d+)/.exec(await admin.info('server'))?.[1]);
    const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(url).hostname);
    return local && existsSync(`/proc/${pid}/stat`) ? pid : null;
  } finally {
    admin.disconnect();
  }
}
