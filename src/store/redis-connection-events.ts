/**
 * What the Redis client's connection does, reduced to changes: `up`, or `down` with the cause
 * (ECONNREFUSED, ENOTFOUND for DNS, ETIMEDOUT...) and where it dialled. The client retries every
 * few hundred ms and raises an error each time; this reports one event per change of cause, so
 * the process logs once (main.ts), not per retry or per probe.
 */
import type { RedisClient } from './redis-store.js';

export type ConnectionEvent =
  | { state: 'up'; target: string }
  | { state: 'down'; target: string; cause: string; message: string };

export function watchConnection(client: RedisClient, target: string, report: (e: ConnectionEvent) => void): void {
  let last = '';
  const emit = (key: string, e: ConnectionEvent): void => {
    if (key === last) return;
    last = key;
    report(e);
  };
  client.on('ready', () => emit('up', { state: 'up', target }));
  client.on('error', (err: NodeJS.ErrnoException & { address?: string; port?: number }) => {
    const cause = err.code ?? err.name;
    // A refused or timed-out dial names the address it tried; a DNS failure has only the configured host:port.
    const where = err.address ? `${err.address}:${err.port ?? ''}` : target;
    emit(`down:${cause}`, { state: 'down', target: where, cause, message: err.message });
  });
  client.on('end', () => emit('down:end', { state: 'down', target, cause: 'closed', message: 'the connection was closed' }));
}

/** host:port of a Redis URL (or of its first node), without credentials. */
export function redisTarget(url: string): string {
  try {
    const u = new URL(url.split(',')[0].replace(/^(rediss?)\+cluster:/, '$1:'));
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return 'the configured REDIS_URL';
  }
}
