/**
 * Redis for tests: the shared server at REDIS_URL, private `redis-server` children for tests that
 * pause or stop their server, per-run key prefixes and their cleanup.
 *
 * When what a suite needs is missing, the suite fails in CI (CI=true) and is skipped elsewhere,
 * with a note on stderr.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { describe, it } from 'vitest';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when a Redis answers PING at `url` within a second. */
export async function redisAvailable(url = REDIS_URL): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** True when the `redis-server` and `redis-cli` binaries can be run. */
export function redisBinariesAvailable(): boolean {
  return ['redis-server', 'redis-cli'].every((bin) => spawnSync(bin, ['--version']).status === 0);
}

/** `describe` when `available`; otherwise a failing test in CI, or a visible skip elsewhere. */
export function describeIf(available: boolean, needs: string, name: string, fn: () => void): void {
  if (available) return void describe(name, fn);
  const message = `${name}: needs ${needs}, which is not available`;
  if (process.env.CI === 'true') {
    describe(name, () => it('has what it needs', () => { throw new Error(`${message} (required in CI)`); }));
    return;
  }
  console.warn(`[skipped] ${message}; set CI=true to make this a failure`);
  describe.skip(name, fn);
}

/** A key prefix no other run uses. */
export const uniquePrefix = (): string => `test:${process.pid}:${randomBytes(4).toString('hex')}:`;

/** Deletes every key under `prefix` (SCAN, on every master of a cluster); returns how many. */
export async function deleteKeys(client: Redis | Cluster, prefix: string): Promise<number> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      // Keys of one scan may sit in different slots: one UNLINK each, on the node that holds them.
      if (keys.length) deleted += (await Promise.all(keys.map((k) => node.unlink(k)))).reduce((a, b) => a + b, 0);
    } while (cursor !== '0');
  }
  return deleted;
}

/** A TCP port nothing listens on now (and, with `busToo`, port + 10000 as well, for a cluster bus). */
export async function freePort(busToo = false): Promise<number> {
  const tryListen = (port: number): Promise<number | null> => new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const { port: got } = server.address() as { port: number };
      server.close(() => resolve(got));
    });
  });
  for (;;) {
    const port = busToo ? 20000 + Math.floor(Math.random() * 25000) : await tryListen(0);
    if (port === null) continue;
    if (!busToo) return port;
    if ((await tryListen(port)) !== null && (await tryListen(port + 10000)) !== null) return port;
  }
}

export interface RedisServer {
  port: number;
  url: string;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop). */
  start(): Promise<void>;
  /** Stops it for good and removes its temp dir. */
  destroy(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => { for (const c of children) c.kill('SIGKILL'); });

/** A private `redis-server` child on loopback, without persistence, in its own temp dir. */
export async function startRedisServer(opts: { port?: number; args?: string[] } = {}): Promise<RedisServer> {
  const port = opts.port ?? await freePort();
  const dir = mkdtempSync(join(tmpdir(), `redis-${port}-`));
  let child: ChildProcess | null = null;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--daemonize', 'no', '--dir', dir, ...(opts.args ?? [])];
      const proc = spawn('redis-server', args, { stdio: 'ignore' });
      child = proc;
      children.add(proc);
      proc.once('exit', () => children.delete(proc));
      await waitFor(async () => {
        if (proc.exitCode !== null) throw new Error(`redis-server on port ${port} exited with code ${proc.exitCode}`);
        return redisAvailable(server.url);
      }, 10_000, `redis-server on port ${port}`);
    },
    async stop() {
      const proc = child;
      child = null;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      await exited;
    },
    async destroy() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** Polls `check` until it is true, or fails after `ms`. */
export async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
