/**
 * A TTL cache with an injected clock, so expiry is tested without waiting. Bounded: when
 * full, the oldest entry goes (Map keeps insertion order).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
    private readonly maxEntries = 100_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.clock()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expires: this.clock() + this.ttlMs });
  }

  /** Empties the cache; returns how many entries there were. */
  clear(): number {
    const size = this.entries.size;
    this.entries.clear();
    return size;
  }

  get size(): number {
    return this.entries.size;
  }
}
