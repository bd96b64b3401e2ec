/**
 * Builds the Redis client of the store from a URL, tuned so Redis trouble never hangs a request.
 *
 * URL forms (REDIS_URL):
 *   redis://[user:password@]host:port[/db]          one server (rediss:// for TLS)
 *   redis+cluster://[user:password@]host:port,host:port,...
 *                                                   Redis Cluster, from any of its nodes (rediss+cluster:// for TLS)
 *   redis://host:port,redis://host:port,...         the same, as a comma-separated list of node URLs
 *
 * Choices:
 * - Every command has a timeout (`commandTimeoutMs`, default 250 ms) and there is no offline queue:
 *   while disconnected a command fails at once instead of waiting. Both surface as
 *   StoreUnavailableError, which the service turns into its fallback answer or a 503.
 * - Commands in flight when a connection drops are failed, not re-sent (maxRetriesPerRequest 0,
 *   no auto-resend): re-sending a decision could count it twice. A reward is safe to retry anyway.
 * - The client redials forever (backoff up to 2 s), so the service recovers without a restart.
 * - `connectRedisStore` waits at most `connectWaitMs` (default 2 s) for the first connection, then
 *   returns the store even if Redis is down; it keeps connecting in the background.
 */
import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import { redisTarget, watchConnection, type ConnectionEvent } from './redis-connection-events.js';
import { RedisStore, type RedisClient } from './redis-store.js';
import { WriteBatchingRedis } from './redis-write-batching.js';

export interface RedisConnectOptions {
  /** Namespace of every key; default 'bandit:'. */
  prefix?: string;
  /** Timeout of each command; default 250 ms. */
  commandTimeoutMs?: number;
  /** How long to wait for the first connection before returning the store anyway; default 2000 ms. */
  connectWaitMs?: number;
  /** Told of each change of the connection (up, or down with its cause), for the process to log. */
  onConnection?: (e: ConnectionEvent) => void;
}

const redialDelay = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 6), 2000);

export async function connectRedisStore(url: string, opts: RedisConnectOptions = {}): Promise<RedisStore> {
  const commandTimeoutMs = opts.commandTimeoutMs ?? 250;
  const client = createRedisClient(url, commandTimeoutMs);
  if (opts.onConnection) watchConnection(client, redisTarget(url), opts.onConnection);
  const store = new RedisStore(client, { prefix: opts.prefix ?? 'bandit:', commandTimeoutMs });
  await firstConnection(client, opts.connectWaitMs ?? 2000);
  return store;
}

export function createRedisClient(url: string, commandTimeoutMs: number): RedisClient {
  const nodeOptions: RedisOptions = {
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(1000, 4 * commandTimeoutMs),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: redialDelay,
    // After a failover the old primary answers READONLY: redial to find the new one.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
  const cluster = parseCluster(url);
  const client: RedisClient = cluster
    ? new Cluster(cluster.nodes, {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: redialDelay,
      slotsRefreshTimeout: Math.max(1000, 4 * commandTimeoutMs),
      redisOptions: { ...nodeOptions, ...cluster.auth },
    })
    : new WriteBatchingRedis(url, nodeOptions);
  // The store reports trouble through StoreUnavailableError; connection errors need no other listener.
  client.on('error', () => {});
  return client;
}

/** The nodes and credentials of a cluster URL, or null for a single server. */
export function parseCluster(url: string): { nodes: ClusterNode[]; auth: RedisOptions } | null {
  const m = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]*)/.exec(url);
  // Both forms become a list of node URLs.
  const nodeUrls = m ? m[3].split(',').map((host) => `${m[1]}://${m[2] ? `${m[2]}@` : ''}${host}`) : url.split(',');
  if (!m && nodeUrls.length < 2) return null;
  const parsed = nodeUrls.map((u) => new URL(u.trim()));
  const { username, password, protocol } = parsed[0];
  return {
    nodes: parsed.map((u) => ({ host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 6379) })),
    auth: {
      ...(username ? { username: decodeURIComponent(username) } : {}),
      ...(password ? { password: decodeURIComponent(password) } : {}),
      ...(protocol === 'rediss:' ? { tls: {} } : {}),
    },
  };
}

/** Resolves when the client is ready or after `waitMs`, whichever comes first; never rejects. */
export function firstConnection(client: RedisClient, waitMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(timer); client.off('ready', done); resolve(); };
    const timer = setTimeout(done, waitMs);
    client.once('ready', done);
  });
}
