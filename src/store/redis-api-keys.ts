/**
 * Run-time API keys on Redis. A change is one script (write, bump the version, PUBLISH it); every
 * replica subscribes, reloads the key set on a message, then acknowledges the version. The call that
 * made the change returns once every subscriber that Redis delivered the message to has
 * acknowledged (or after ACK_WAIT_MS, reporting how many did not), so a revoked key is refused from
 * the next request on, on every replica, with no Redis command per request.
 *
 * On Redis Cluster a PUBLISH is delivered cluster-wide but answers only its own node's subscriber
 * count, so each live watcher also registers itself (a heartbeat in `{keys}:watchers`), and a change
 * waits for the larger of the two counts.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { apiKeyKeys } from './redis-keys.js';
import { failure } from './redis-scripts.js';
import type { ApiKeyWatch } from './store.js';
import type { ApiKeyRecord } from '../contract/domain.js';

type Client = Redis | Cluster;
type Io = <T>(exchange: () => Promise<T>) => Promise<T>;
/** Runs lua/api-key-change.lua (KEYS, ARGV as in its header). */
type ChangeScript = (keys: string[], args: string[]) => Promise<unknown>;

/** currentVersion's epoch unit: versions below it (a million key changes per epoch) keep their +1 steps. */
const EPOCH_UNIT = 2 ** 20;
/** How long a change waits for the other replicas to acknowledge it. */
export const ACK_WAIT_MS = 2000;
const ACK_TTL_SECONDS = 60;
/** A watcher refreshes its registration this often; an entry not refreshed for WATCHER_TTL_MS (a dead replica) no longer counts. */
const WATCHER_HEARTBEAT_MS = 10_000;
const WATCHER_TTL_MS = 3 * WATCHER_HEARTBEAT_MS;

export class RedisApiKeys {
  private readonly k: ReturnType<typeof apiKeyKeys>;
  private readonly watches = new Set<Client>();

  constructor(private readonly client: Client, prefix: string, private readonly io: Io, private readonly changeScript: ChangeScript) {
    this.k = apiKeyKeys(prefix);
  }

  async create(key: ApiKeyRecord): Promise<void> {
    const { lastUsedAt: _, ...stored } = key;
    await this.change('create', key.id, JSON.stringify(stored));
  }

  async list(): Promise<ApiKeyRecord[]> {
    const [all, used] = await Promise.all([this.io(() => this.client.hgetall(this.k.all)), this.io(() => this.client.hgetall(this.k.used))]);
    return Object.values(all).map((json): ApiKeyRecord => {
      const r = JSON.parse(json) as Omit<ApiKeyRecord, 'lastUsedAt'>;
      return { ...r, lastUsedAt: used[r.id] ?? null };
    }).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async revoke(id: string): Promise<{ found: boolean; unconfirmed: number }> {
    const unconfirmed = await this.change('revoke', id, '');
    return unconfirmed === null ? { found: false, unconfirmed: 0 } : { found: true, unconfirmed };
  }

  async touch(lastUsed: Record<string, string>): Promise<void> {
    if (Object.keys(lastUsed).length > 0) await this.io(() => this.client.hset(this.k.used, lastUsed));
  }

  async lastUsed(): Promise<Record<string, string>> {
    return this.io(() => this.client.hgetall(this.k.used));
  }

  /**
   * The version with the key set's epoch above it (epoch x 2^20 + version): after Redis lost its data
   * the version starts again from 0, but the epoch is a new random one, so a ring that loaded the
   * old set never takes the new one for it (keys.ts rereads on any change of this number).
   */
  async currentVersion(): Promise<number> {
    const [version, epoch] = await this.io(() => this.client.mget(this.k.version, this.k.epoch));
    return Number(epoch ?? (await this.newEpoch())) * EPOCH_UNIT + (Number(version ?? 0) % EPOCH_UNIT);
  }

  private async newEpoch(): Promise<string> {
    const mine = String(1 + randomInt(2 ** 31));
    if ((await this.io(() => this.client.set(this.k.epoch, mine, 'NX'))) === 'OK') return mine;
    return (await this.io(() => this.client.get(this.k.epoch))) ?? mine;
  }

  /** A subscriber connection of its own: live while subscribed and caught up with the key set. */
  watch(onChange: () => Promise<void>): ApiKeyWatch {
    const sub = this.client.duplicate() as Client;
    sub.on('error', () => {});
    let live = false;
    const id = randomUUID();
    const register = (): Promise<unknown> => this.io(() => this.client.hset(this.k.watchers, id, String(Date.now() + WATCHER_TTL_MS))).catch(() => {});
    const heartbeat = setInterval(() => { if (live) void register(); }, WATCHER_HEARTBEAT_MS).unref();
    const catchUp = async (): Promise<void> => {
      try {
        await sub.subscribe(this.k.channel);
        await onChange(); // changes missed while not subscribed
        live = true;
        await register();
      } catch { /* retried on the next 'ready' */ }
    };
    sub.on('ready', () => void catchUp());
    for (const ev of ['close', 'reconnecting', 'end']) sub.on(ev, () => { live = false; });
    sub.on('message', (channel: string, version: string) => {
      if (channel !== this.k.channel) return;
      void onChange().then(() => this.acknowledge(version), () => { live = false; });
    });
    this.watches.add(sub);
    return {
      live: () => live,
      close: async () => {
        clearInterval(heartbeat);
        this.watches.delete(sub);
        live = false;
        sub.disconnect();
        await this.io(() => this.client.hdel(this.k.watchers, id)).catch(() => {});
      },
    };
  }

  close(): void {
    for (const sub of this.watches) sub.disconnect();
    this.watches.clear();
  }

  /** Registered watchers whose heartbeat is fresh (expired entries are dropped on the way). */
  private async liveWatchers(): Promise<number> {
    const all = await this.io(() => this.client.hgetall(this.k.watchers)).catch(() => ({} as Record<string, string>));
    const now = Date.now();
    const stale = Object.keys(all).filter((w) => Number(all[w]) <= now);
    if (stale.length > 0) await this.io(() => this.client.hdel(this.k.watchers, ...stale)).catch(() => {});
    return Object.keys(all).length - stale.length;
  }

  private async acknowledge(version: string): Promise<void> {
    const ack = this.k.ack(version);
    await this.io(() => this.client.multi().incr(ack).expire(ack, ACK_TTL_SECONDS).exec()).catch(() => {});
  }

  /** Runs the change script, then waits for the acknowledgements; answers how many are missing (null: unknown id). */
  private async change(op: 'create' | 'revoke', id: string, json: string): Promise<number | null> {
    const reply = await this.changeScript([this.k.all, this.k.used, this.k.version], [op, id, json, this.k.channel]);
    if (failure(reply) === 'not_found') return null;
    const [version, published] = reply as [number, number];
    const receivers = Math.max(published, await this.liveWatchers());
    const deadline = Date.now() + ACK_WAIT_MS;
    for (;;) {
      const acks = Number((await this.io(() => this.client.get(this.k.ack(version)))) ?? 0);
      if (acks >= receivers || Date.now() >= deadline) return Math.max(0, receivers - acks);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
