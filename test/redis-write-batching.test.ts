/** WriteBatchingRedis: the commands of one event-loop turn leave in one write, with ioredis's answers unchanged. */
import { afterAll, expect, it } from 'vitest';
import { WriteBatchingRedis } from '../src/store/redis-write-batching.js';
import { describeIf, REDIS_URL, redisAvailable } from './helpers/redis.js';

const available = await redisAvailable();

describeIf(available, 'Redis', 'WriteBatchingRedis', () => {
  const client = new WriteBatchingRedis(REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
  afterAll(() => client.disconnect());

  it('corks the socket at the first command of a turn and sends the turn\'s commands in one writev', async () => {
    await new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));
    const stream = client.stream;
    const writes: number[] = [];
    const { _writev: writev, _write: write } = stream as unknown as { _writev: (chunks: unknown[], cb: () => void) => void; _write: (...a: unknown[]) => void };
    (stream as unknown as Record<string, unknown>)._writev = function (this: unknown, chunks: unknown[], cb: () => void) { writes.push(chunks.length); return writev.call(this, chunks, cb); };
    (stream as unknown as Record<string, unknown>)._write = function (this: unknown, ...a: unknown[]) { writes.push(1); return write.apply(this, a); };
    try {
      const replies = Array.from({ length: 20 }, (_, i) => client.echo(`m${i}`));
      expect(stream.writableCorked).toBe(1);
      expect(await Promise.all(replies)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
      expect(stream.writableCorked).toBe(0);
      expect(writes).toEqual([20]);
      // The next turn is corked again, on its own.
      expect(await client.echo('again')).toBe('again');
      expect(writes).toEqual([20, 1]);
    } finally {
      Object.assign(stream, { _writev: writev, _write: write });
    }
  });

  it('answers script errors and replies as ioredis does', async () => {
    client.defineCommand('i14Echo', { numberOfKeys: 1, lua: 'return {KEYS[1], ARGV[1], tonumber(ARGV[2]) + 1}' });
    const c = client as unknown as { i14Echo(...a: (string | number)[]): Promise<unknown> };
    expect(await c.i14Echo('k', 'v', 41)).toEqual(['k', 'v', 42]);
    await expect(client.eval('return redis.error_reply("boom")', 0)).rejects.toThrow('boom');
  });
});
