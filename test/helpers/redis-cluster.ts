/**
 * A local three-master Redis Cluster on loopback, started from `redis-server` children (each in
 * its own temp dir, no persistence) and joined with `redis-cli --cluster create`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, waitFor, type RedisServer } from './redis.js';

export interface LocalCluster {
  ports: number[];
  /** The store's URL form for it: redis+cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3 */
  url: string;
  /** Stops every node and removes their temp dirs. */
  stop(): Promise<void>;
}

export async function startCluster(masters = 3): Promise<LocalCluster> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort(true); // the cluster bus listens on port + 10000
      nodes.push(await startRedisServer({
        port, args: ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000'],
      }));
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await promisify(execFile)('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    for (const n of nodes) await waitFor(() => clusterOk(n.port), 20_000, `cluster_state:ok on port ${n.port}`);
  } catch (err) {
    await Promise.all(nodes.map((n) => n.destroy()));
    throw err;
  }
  return {
    ports: nodes.map((n) => n.port),
    url: `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    stop: async () => { await Promise.all(nodes.map((n) => n.destroy())); },
  };
}

async function clusterOk(port: number): Promise<boolean> {
  const client = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    return (await client.cluster('INFO')).includes('cluster_state:ok');
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
