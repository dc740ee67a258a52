/**
 * A least-recently-used map holding at most `max` entries, except those `evictable` refuses
 * (pinned ones, or ones whose events are not written yet): they stay, and the next oldest goes.
 * `max` of Infinity never evicts.
 *
 * @example const c = new LruCache<string, number>(2); c.set('a', 1); c.set('b', 2); c.get('a'); c.set('c', 3); c.has('b') // false
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(
    readonly max: number,
    private readonly evictable: (key: K, value: V) => boolean = () => true,
  ) {
    if (!(max >= 0)) throw new RangeError(`an LRU cache needs a maximum of at least 0, got ${max}`);
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The value, marked as used just now. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  /** The value, without marking it used. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    this.trim();
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  /** Evicts the oldest evictable entries down to `max` (looks at no more entries than it holds). */
  trim(): void {
    if (this.map.size <= this.max) return;
    let over = this.map.size - this.max;
    for (const [key, value] of this.map) {
      if (over <= 0) return;
      if (!this.evictable(key, value)) continue;
      this.map.delete(key);
      over -= 1;
    }
  }

  keys(): IterableIterator<K> {
    return this.map.keys();
  }
}
