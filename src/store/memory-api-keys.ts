/**
 * Run-time API keys of the embedded store: one process, so a change reaches every "replica" (the
 * one there is) before the call returns, and the watch is always live.
 */
import type { ApiKeyWatch } from './store.js';
import type { ApiKeyRecord } from '../contract/domain.js';

export class MemoryApiKeys {
  private readonly keys = new Map<string, ApiKeyRecord>();
  private readonly used = new Map<string, string>();
  private readonly listeners = new Set<() => Promise<void>>();
  private version = 0;

  async create(key: ApiKeyRecord): Promise<void> {
    this.keys.set(key.id, { ...key });
    await this.changed();
  }

  async list(): Promise<ApiKeyRecord[]> {
    return [...this.keys.values()].map((k) => ({ ...k, lastUsedAt: this.used.get(k.id) ?? null })).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async revoke(id: string): Promise<{ found: boolean; unconfirmed: number }> {
    if (!this.keys.delete(id)) return { found: false, unconfirmed: 0 };
    this.used.delete(id);
    await this.changed();
    return { found: true, unconfirmed: 0 };
  }

  async touch(lastUsed: Record<string, string>): Promise<void> {
    for (const [id, at] of Object.entries(lastUsed)) this.used.set(id, at);
  }

  async lastUsed(): Promise<Record<string, string>> {
    return Object.fromEntries(this.used);
  }

  async currentVersion(): Promise<number> {
    return this.version;
  }

  watch(onChange: () => Promise<void>): ApiKeyWatch {
    this.listeners.add(onChange);
    return { live: () => true, close: async () => { this.listeners.delete(onChange); } };
  }

  private async changed(): Promise<void> {
    this.version += 1;
    await Promise.all([...this.listeners].map((l) => l()));
  }
}
