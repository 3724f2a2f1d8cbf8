/**
 * Token buckets by key (enterprise and client address): `perSecond` sustained, bursts up to
 * twice that. Bounded: past `maxKeys` keys the oldest are forgotten (a forgotten key starts
 * full again, which only ever errs on the side of letting a PBX through).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly clock: () => number = () => performance.now(),
    private readonly maxKeys = 50_000,
  ) {}

  allow(key: string, perSecond: number, burst = perSecond * 2): boolean {
    const now = this.clock();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: burst, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
