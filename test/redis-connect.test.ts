/** The URL forms of REDIS_URL (documented in src/store/redis-connect.ts). */
import { describe, expect, it } from 'vitest';
import { parseCluster } from '../src/store/redis-connect.js';

describe('redis URL forms', () => {
  it('reads one server as not a cluster', () => {
    expect(parseCluster('redis://127.0.0.1:6379')).toBeNull();
    expect(parseCluster('rediss://user:pw@redis.example:6380/2')).toBeNull();
  });

  it('reads redis+cluster:// with its nodes and credentials', () => {
    expect(parseCluster('redis+cluster://127.0.0.1:7301,127.0.0.1:7302,node-3')).toEqual({
      nodes: [{ host: '127.0.0.1', port: 7301 }, { host: '127.0.0.1', port: 7302 }, { host: 'node-3', port: 6379 }],
      auth: {},
    });
    expect(parseCluster('rediss+cluster://app:p%40ss@a:1,b:2')).toEqual({
      nodes: [{ host: 'a', port: 1 }, { host: 'b', port: 2 }],
      auth: { username: 'app', password: 'p@ss', tls: {} },
    });
  });

  it('reads a comma-separated list of node URLs as a cluster', () => {
    expect(parseCluster('redis://:secret@10.0.0.1:7000, redis://10.0.0.2:7000')).toEqual({
      nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7000 }],
      auth: { password: 'secret' },
    });
  });
});
