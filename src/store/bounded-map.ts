/**
 * A Map with a cap on its size that forgets the least recently used entry first (an LRU): a Map
 * iterates in insertion order, so a read moves its entry to the end and an insert past the cap
 * drops the first. The embedded store bounds its sticky users with it (STICKY_MAX_USERS per
 * experiment): a user evicted early is assigned afresh on their next request, as after the TTL.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly cap: number) {
    super();
    if (!(cap >= 1)) throw new RangeError(`BoundedMap cap must be at least 1, got ${cap}`);
  }

  override get(key: K): V | undefined {
    const v = super.get(key);
    if (v !== undefined) {
      super.delete(key);
      super.set(key, v);
    }
    return v;
  }

  override set(key: K, value: V): this {
    if (super.has(key)) super.delete(key);
    else if (this.size >= this.cap) super.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}
