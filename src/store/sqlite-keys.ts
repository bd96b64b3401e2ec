/**
 * The SQLite store's run-time API keys and decision secret. One process owns the database, so a
 * key change reaches its only "replica" before the call returns and the watch is always live.
 */
import type Database from 'better-sqlite3';
import type { ApiKeyWatch } from './store.js';
import type { ApiKeyRecord, ApiKeyScope } from '../contract/domain.js';

interface KeyRow { id: string; scope: ApiKeyScope; name: string; hash: string; created_at: string; at: string | null }

export class SqliteKeys {
  private readonly listeners = new Set<() => Promise<void>>();
  private readonly s;
  private readonly tx;

  constructor(db: Database.Database) {
    this.s = {
      insert: db.prepare('INSERT OR REPLACE INTO api_keys (id, scope, name, hash, created_at) VALUES (?, ?, ?, ?, ?)'),
      list: db.prepare<[], KeyRow>(`SELECT k.id, k.scope, k.name, k.hash, k.created_at, u.at FROM api_keys k LEFT JOIN api_keys_used u ON u.id = k.id
        ORDER BY k.created_at, k.id`),
      delete: db.prepare('DELETE FROM api_keys WHERE id = ?'),
      forgetUse: db.prepare('DELETE FROM api_keys_used WHERE id = ?'),
      touch: db.prepare('INSERT OR REPLACE INTO api_keys_used (id, at) VALUES (?, ?)'),
      used: db.prepare<[], { id: string; at: string }>('SELECT id, at FROM api_keys_used'),
      get: db.prepare<[string], { v: string }>('SELECT v FROM meta WHERE k = ?'),
      setIfAbsent: db.prepare('INSERT OR IGNORE INTO meta (k, v) VALUES (?, ?)'),
      set: db.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)'),
    };
    this.tx = {
      create: db.transaction((key: ApiKeyRecord) => {
        this.s.insert.run(key.id, key.scope, key.name, key.hash, key.createdAt);
        this.bump();
      }),
      revoke: db.transaction((id: string): boolean => {
        if (this.s.delete.run(id).changes === 0) return false;
        this.s.forgetUse.run(id);
        this.bump();
        return true;
      }),
      touch: db.transaction((lastUsed: Record<string, string>) => {
        for (const [id, at] of Object.entries(lastUsed)) this.s.touch.run(id, at);
      }),
      secret: db.transaction((candidate: string): string => {
        this.s.setIfAbsent.run('secret', candidate);
        return this.s.get.get('secret')!.v;
      }),
    };
  }

  async create(key: ApiKeyRecord): Promise<void> {
    this.tx.create.immediate(key);
    await this.changed();
  }

  list(): ApiKeyRecord[] {
    return this.s.list.all().map((r) => ({ id: r.id, scope: r.scope, name: r.name, hash: r.hash, createdAt: r.created_at, lastUsedAt: r.at }));
  }

  async revoke(id: string): Promise<{ found: boolean; unconfirmed: number }> {
    if (!this.tx.revoke.immediate(id)) return { found: false, unconfirmed: 0 };
    await this.changed();
    return { found: true, unconfirmed: 0 };
  }

  touch(lastUsed: Record<string, string>): void {
    this.tx.touch.immediate(lastUsed);
  }

  lastUsed(): Record<string, string> {
    return Object.fromEntries(this.s.used.all().map((r) => [r.id, r.at]));
  }

  version(): number {
    return Number(this.s.get.get('keys_version')?.v ?? 0);
  }

  watch(onChange: () => Promise<void>): ApiKeyWatch {
    this.listeners.add(onChange);
    return { live: () => true, close: async () => { this.listeners.delete(onChange); } };
  }

  /** The decision secret: the first candidate ever offered, then always the same. */
  secret(candidate: string): string {
    return this.tx.secret.immediate(candidate);
  }

  private bump(): void {
    this.s.set.run('keys_version', String(this.version() + 1));
  }

  private async changed(): Promise<void> {
    await Promise.all([...this.listeners].map((l) => l()));
  }
}
