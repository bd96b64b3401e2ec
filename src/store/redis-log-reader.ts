/**
 * Reads of the Redis event log (issue 19: no read of the log holds the decisions), on a connection
 * of their own: one ioredis connection answers in order, so a decision's script sent behind a
 * page of the log would wait for that page's reply to be sent and parsed. The log connection is
 * opened at the first read and closed with the store.
 *
 * A page of one type reads through per-type index streams that lua/log-of-type.lua keeps from the
 * log in bounded slices (the writers only append to the log), so a filtered page costs what it
 * returns, not a scan of the other types' events.
 *
 * One log command at a time per store: Redis runs a connection's queued commands back to back, so
 * twenty readers' slices sent together would hold a decision's script behind all twenty; in turn,
 * it waits behind one at most (a page of 100 entries, or an index slice of about a millisecond).
 */
import type { Cluster, Redis } from 'ioredis';
import type { StoredEvent } from '../contract/event-log.js';
import { decodeStreamEntries } from './redis-event-log.js';
import type { ExperimentKeys } from './redis-keys.js';
import { StoreUnavailableError } from './store.js';

/** Log entries indexed per call of log-of-type.lua: about a millisecond of Redis's time. */
export const INDEX_SLICE = 200;
const TYPE_FIELD = { decision: 'd', reward: 'r', signal: 'g' } as const;
type Entries = [string, string[]][];
type LogClient = (Redis | Cluster) & { banditLogOfType(...args: (string | number)[]): Promise<[0 | 1, Entries | number]> };

export class RedisLogReader {
  private conn: Promise<LogClient> | null = null;
  private closed = false;
  /** The last log command sent: the next one waits for it (one at a time). */
  private last: Promise<unknown> = Promise.resolve();

  /** `io`: the store's error mapping (StoreUnavailableError); `logOfType`: lua/log-of-type.lua's text. */
  constructor(private readonly client: Redis | Cluster, private readonly io: <T>(exchange: () => Promise<T>) => Promise<T>, private readonly logOfType: string) {}

  /** Up to `limit` events after the cursor, oldest first; null when the experiment does not exist. */
  async read(k: ExperimentKeys, after: string | null, limit: number): Promise<StoredEvent[] | null> {
    const log = await this.connection();
    const [arms, entries] = await Promise.all([
      this.io(() => this.client.hget(k.meta(), 'arms')),
      this.inTurn(() => log.xrange(k.log(), after === null ? '-' : `(${after}`, '+', 'COUNT', limit)),
    ]);
    return arms === null ? null : decodeStreamEntries(JSON.parse(arms) as string[], entries);
  }

  /** The same, of one type only, through the type's index (brought up to date first, a slice per call). */
  async readOfType(k: ExperimentKeys, type: StoredEvent['type'], after: string | null, limit: number): Promise<StoredEvent[] | null> {
    const arms = await this.io(() => this.client.hget(k.meta(), 'arms'));
    if (arms === null) return null;
    const log = await this.connection();
    const keys = this.indexKeys(k);
    for (;;) {
      const [done, reply] = await this.inTurn(() => log.banditLogOfType(...keys, TYPE_FIELD[type], after === null ? '-' : `(${after}`, INDEX_SLICE, limit));
      if (done === 1) return decodeStreamEntries(JSON.parse(arms) as string[], reply as Entries);
    }
  }

  /**
   * Indexes one slice (at most INDEX_SLICE log entries) of the log into the type index, with no
   * page (the background indexer, service/log-indexer.ts); true when the index has caught up.
   */
  async advanceIndex(k: ExperimentKeys): Promise<boolean> {
    const log = await this.connection();
    const [done] = await this.inTurn(() => log.banditLogOfType(...this.indexKeys(k), '', '-', INDEX_SLICE, 0));
    return done === 1;
  }

  private indexKeys(k: ExperimentKeys): string[] { return [k.log(), k.logIndex('d'), k.logIndex('r'), k.logIndex('g'), k.logIndexed()]; }

  /** `exchange` on the log connection once the command before it has been answered. */
  private inTurn<T>(exchange: () => Promise<T>): Promise<T> {
    const run = this.last.then(() => this.io(exchange));
    this.last = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    const conn = this.conn;
    this.conn = null;
    if (conn) (await conn).disconnect();
  }

  private connection(): Promise<LogClient> {
    // A read still going when the store is closed (an export cut by the shutdown) opens nothing again.
    if (this.closed) return Promise.reject(new StoreUnavailableError('the store is closed'));
    this.conn ??= this.open();
    return this.conn;
  }

  private async open(): Promise<LogClient> {
    // Redis.duplicate / Cluster.duplicate: the same server(s) and options (timeouts, no offline queue).
    const conn = (this.client as Redis).duplicate() as unknown as LogClient;
    conn.on('error', () => {}); // failures reach the caller as StoreUnavailableError (io)
    conn.defineCommand('banditLogOfType', { numberOfKeys: 5, lua: this.logOfType });
    if (conn.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        conn.once('ready', () => { clearTimeout(timer); resolve(); });
      });
    }
    return conn;
  }
}
