/**
 * API keys: the key ring every request is checked against, and the /keys use cases.
 *
 * The ring holds the configured keys (API_KEYS) and the run-time keys (the store), by SHA-256
 * digest. Checking a key costs one SHA-256 and a Map lookup; a key from API_KEYS costs no store
 * command, a run-time key one read of the key set's version (reloading when it moved), so a key the
 * store lost with its data is refused on its next use. Every create and revoke also reaches every
 * replica's ring before the call that made it returns (see ApiKeyWatch), so an unknown key is refused
 * without asking the store while the watch is live. `lastUsedAt` is noted in memory and
 * flushed to the store every LAST_USED_FLUSH_MS, one write per replica per interval.
 */
import type { z } from 'zod';
import type { ListedKeySchema } from '../contract/keys.js';
import { ApiError } from '../errors.js';
import { StoreUnavailableError, type ApiKeyStore, type ApiKeyWatch } from '../store/store.js';
import type { ApiKeyRecord, ApiKeyScope } from '../contract/domain.js';
import { hashKey, newKey, newKeyId, parseApiKeys, sameDigest, type ConfiguredKey } from './api-key-material.js';
import type { Clock } from './context.js';

export const LAST_USED_FLUSH_MS = 10_000;
/** Run-time keys a store may hold (409 too_many_keys beyond; revoke unused ones). Checked before the create, like the experiment cap. */
export const MAX_RUNTIME_KEYS = 1000;

export interface KeyIdentity { id: string; scope: ApiKeyScope }
/** A key as GET /keys lists it: no secret, no hash. Configured keys have no createdAt. */
export type ListedKey = z.infer<typeof ListedKeySchema>;
/** `stored`: a run-time key (the store's), checked against the store on every use; else from API_KEYS. */
interface Entry extends KeyIdentity { digest: Buffer; stored: boolean }

export class KeyRing {
  private readonly configured: Entry[];
  private byDigest = new Map<string, Entry>();
  private loadedVersion = -1;
  private watch: ApiKeyWatch | null = null;
  private readonly used = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private reloading: Promise<void> = Promise.resolve();

  constructor(private readonly store: ApiKeyStore, apiKeys: string | ConfiguredKey[] | undefined, private readonly clock: Clock) {
    this.configured = (Array.isArray(apiKeys) ? apiKeys : parseApiKeys(apiKeys)).map((k) => ({ ...k, stored: false }));
    this.index([]);
  }

  /** Loads the run-time keys and subscribes to changes; a store that is down leaves them to the next request. */
  async start(): Promise<void> {
    this.watch = this.store.watchApiKeys(() => this.reload());
    await this.reload().catch((err: unknown) => { if (!(err instanceof StoreUnavailableError)) throw err; });
    this.timer = setInterval(() => void this.flush().catch(() => {}), LAST_USED_FLUSH_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.watch?.close();
    await this.flush().catch(() => {});
  }

  /** True when no key is configured and none is known at run time (the store unread counts as none). */
  empty(): boolean {
    return this.byDigest.size === 0;
  }

  /**
   * Open mode's question without a promise: true when no key exists anywhere (the set is loaded and
   * the watch live), false when some key exists, undefined when the store must be asked (isOpen).
   */
  openNow(): boolean | undefined {
    if (this.configured.length > 0) return false;
    if (this.byDigest.size > 0) return undefined; // run-time keys only: the store may have lost them
    return this.watch?.live() && !this.unknown() ? true : undefined;
  }

  /**
   * Open mode after catching up with the store. A key set never read (the store down since start)
   * is open only for the decide scope, so the /select fallback keeps working while nothing that a
   * stored key might guard (admin, read) is served without one.
   */
  async isOpen(access: ApiKeyScope): Promise<boolean> {
    await this.catchUp();
    if (this.byDigest.size > 0) return false;
    return !this.unknown() || access === 'decide';
  }

  /** True when the run-time keys have never been read (the store was down since start). */
  unknown(): boolean {
    return this.loadedVersion < 0;
  }

  /**
   * The key's identity, or null for an unknown or revoked key. A run-time key is confirmed against
   * the store's key set version first (one read), so a key the store no longer has (revoked, or lost
   * with the store's data: no message tells the watch about a flush) is refused on its next use.
   */
  async identify(presented: string): Promise<KeyIdentity | null> {
    await this.catchUp();
    return this.note(this.lookup(presented));
  }

  /**
   * `identify` without a promise where the store need not be asked: a key from API_KEYS, or an
   * unknown key while the watch is live (a key created anywhere reaches this ring before its create
   * returns); undefined when the store must be asked first (a run-time key, or the watch down).
   */
  identifyNow(presented: string): KeyIdentity | null | undefined {
    const entry = this.lookup(presented);
    if (entry ? entry.stored : !this.watch?.live()) return undefined;
    return this.note(entry);
  }

  private lookup(presented: string): Entry | null {
    const digest = hashKey(presented);
    const entry = this.byDigest.get(digest.toString('hex'));
    return entry && sameDigest(entry.digest, digest) ? entry : null;
  }

  private note(entry: Entry | null): KeyIdentity | null {
    if (!entry) return null;
    this.used.set(entry.id, this.clock.now());
    return { id: entry.id, scope: entry.scope };
  }

  async create(scope: ApiKeyScope, name: string): Promise<ApiKeyRecord & { key: string }> {
    const count = (await this.store.listApiKeys()).length;
    if (count >= MAX_RUNTIME_KEYS) throw new ApiError('too_many_keys', `the store holds ${count} run-time API keys, the most allowed: revoke unused ones (DELETE /keys/:id)`);
    const key = newKey();
    const record: ApiKeyRecord = { id: newKeyId(), scope, name, hash: hashKey(key).toString('hex'), createdAt: new Date(this.clock.now()).toISOString(), lastUsedAt: null };
    await this.store.createApiKey(record);
    return { ...record, key };
  }

  /** Configured keys first, then run-time keys, with this replica's unflushed lastUsedAt laid over. */
  async list(): Promise<ListedKey[]> {
    const [stored, flushed] = await Promise.all([this.store.listApiKeys(), this.store.apiKeysLastUsed()]);
    const latest = (id: string): string | null => {
      const mine = this.used.get(id);
      const iso = mine === undefined ? null : new Date(mine).toISOString();
      const theirs = flushed[id] ?? null;
      return iso !== null && (theirs === null || iso > theirs) ? iso : theirs;
    };
    return [
      ...this.configured.map((k): ListedKey => ({ id: k.id, scope: k.scope, name: 'API_KEYS', createdAt: null, lastUsedAt: latest(k.id), source: 'environment' })),
      ...stored.map((k): ListedKey => ({ id: k.id, scope: k.scope, name: k.name, createdAt: k.createdAt, lastUsedAt: latest(k.id), source: 'api' })),
    ];
  }

  /** Answers how many replicas did not confirm in time (0 normally). */
  async revoke(id: string): Promise<number> {
    if (this.configured.some((k) => k.id === id)) throw new ApiError('key_from_environment', `key ${id} comes from API_KEYS: remove it there and restart`);
    const { found, unconfirmed } = await this.store.revokeApiKey(id);
    if (!found) throw new ApiError('key_not_found', `no API key with id ${id}`);
    this.used.delete(id);
    return unconfirmed;
  }

  /** Writes the lastUsedAt noted since the last flush, in one store call. */
  async flush(): Promise<void> {
    if (this.used.size === 0) return;
    const batch = Object.fromEntries([...this.used].map(([id, ms]) => [id, new Date(ms).toISOString()]));
    this.used.clear();
    await this.store.touchApiKeys(batch);
  }

  private async catchUp(): Promise<void> {
    try {
      if ((await this.store.apiKeysVersion()) !== this.loadedVersion) await this.reload();
    } catch (err) {
      // Cut off from the store, the last loaded set stays: a revocation needs the store, and so does
      // everything a key allows here except the fallback decision.
      if (!(err instanceof StoreUnavailableError)) throw err;
    }
  }

  /** Reloads one at a time, so an older answer never overwrites a newer one. */
  private reload(): Promise<void> {
    const next = this.reloading.then(() => this.load());
    this.reloading = next.catch(() => {});
    return next;
  }

  private async load(): Promise<void> {
    const version = await this.store.apiKeysVersion();
    const keys = await this.store.listApiKeys();
    this.index(keys);
    this.loadedVersion = version;
  }

  private index(stored: ApiKeyRecord[]): void {
    const next = new Map<string, Entry>();
    for (const k of this.configured) next.set(k.digest.toString('hex'), k);
    for (const k of stored) next.set(k.hash, { id: k.id, scope: k.scope, digest: Buffer.from(k.hash, 'hex'), stored: true });
    this.byDigest = next;
  }
}
