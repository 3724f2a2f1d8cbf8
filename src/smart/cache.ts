/**
 * A TTL cache with an injected clock, so expiry is tested without waiting. Bounded: when
 * full, the oldest entry goes (Map keeps insertion order). Entries may carry tags (the
 * caller's number) so that everything cached about one caller can be dropped at once.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number; tags: readonly string[] }>();
  private readonly byTag = new Map<string, Set<string>>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
    private readonly maxEntries = 100_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.clock()) {
      this.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, tags: readonly string[] = []): void {
    if (this.ttlMs <= 0) return;
    this.delete(key);
    if (this.entries.size >= this.maxEntries) this.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expires: this.clock() + this.ttlMs, tags });
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Drops every entry tagged `tag`; returns how many. */
  invalidate(tag: string): number {
    const keys = this.byTag.get(tag);
    if (!keys) return 0;
    const count = keys.size;
    for (const key of [...keys]) this.delete(key);
    return count;
  }

  /** Empties the cache; returns how many entries there were. */
  clear(): number {
    const size = this.entries.size;
    this.entries.clear();
    this.byTag.clear();
    return size;
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    for (const tag of entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }
}
