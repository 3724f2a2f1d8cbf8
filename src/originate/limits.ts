import { Pacer } from "./pacer.ts";

/**
 * Calls in progress and the pace, per trunk and per campaign. In memory: what is in flight
 * is counted again from the queue at start (DialStore.inFlightCounts), and pacing starts
 * afresh (it only spaces the calls out).
 */
export class Limits {
  private readonly inFlight = new Map<string, number>();
  private readonly pacers = new Map<string, Pacer>();
  /** API dials due but not yet taken, per trunk: with those in flight, the load a request is refused over (429). */
  private readonly waiting = new Map<string, Set<string>>();

  wait(trunk: string, id: string): void {
    let ids = this.waiting.get(trunk);
    if (!ids) this.waiting.set(trunk, (ids = new Set()));
    ids.add(id);
  }

  unwait(trunk: string, id: string): void {
    this.waiting.get(trunk)?.delete(id);
  }

  /** Calls in progress and API dials waiting on a trunk. */
  load(trunk: string): number {
    return this.count(trunkKey(trunk)) + (this.waiting.get(trunk)?.size ?? 0);
  }

  count(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }

  add(key: string, by = 1): void {
    const n = this.count(key) + by;
    if (n > 0) this.inFlight.set(key, n);
    else this.inFlight.delete(key);
  }

  pacer(key: string, ratePerSecond: number): Pacer {
    let pacer = this.pacers.get(key);
    if (!pacer) this.pacers.set(key, (pacer = new Pacer(ratePerSecond)));
    else pacer.setRate(ratePerSecond);
    return pacer;
  }

  /** Whether one more may start now under `max` and `ratePerSecond`; else when it could (Infinity: when a call ends). */
  gate(key: string, max: number, ratePerSecond: number, now: number): { open: true } | { open: false; at: number } {
    if (this.count(key) >= max) return { open: false, at: Number.POSITIVE_INFINITY };
    const pacer = this.pacer(key, ratePerSecond);
    return pacer.ready(now) ? { open: true } : { open: false, at: pacer.dueAt(now) };
  }

  /** A call starts under these keys. */
  start(keys: readonly string[], now: number): void {
    for (const key of keys) {
      this.add(key);
      this.pacers.get(key)?.take(now);
    }
  }

  end(keys: readonly string[]): void {
    for (const key of keys) this.add(key, -1);
  }
}

export const trunkKey = (trunk: string) => `trunk:${trunk}`;
export const campaignKey = (campaign: string) => `campaign:${campaign}`;

/** The limits a dial counts against while it is in flight. */
export function limitKeys(dial: { trunk: string; campaign: string | null }): string[] {
  return [trunkKey(dial.trunk), ...(dial.campaign ? [campaignKey(dial.campaign)] : [])];
}
