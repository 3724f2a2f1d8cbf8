import { isBusyError } from "../history/db.ts";
import type { Logger } from "../log.ts";
import type { OutboxStore } from "./store.ts";
import type { OutboxEvent } from "./types.ts";

/** An event as published: its data is built when it is stored, off the caller's path. */
export interface PublishedEvent {
  type: string;
  key: string;
  at: number;
  data: () => Record<string, unknown>;
}

/** Which targets want an event (none: it is not stored at all). */
export type Routing = (event: OutboxEvent) => readonly string[];

export interface RecorderOptions {
  store: OutboxStore;
  routing: () => Routing;
  log: Logger;
  clock?: () => number;
  /** Called after events were stored (the worker looks at once). */
  onStored?: () => void;
  flushMs?: number;
  maxPending?: number;
  /** Events kept for a call's end that never came to be written go out on their own after this. */
  reservedMaxMs?: number;
}

/**
 * Events published while a call is in progress (it started, rang, was answered): the
 * tracker cannot wait for SQLite (another process may hold the lock), so they are kept in
 * order and written together every few milliseconds, off the event path. A call's end is
 * different: its events are written in the transaction that records the call, and the
 * events of that call still waiting here are written first, in that same transaction, so
 * its sequence stays in order. Bounded: past `maxPending` the oldest are dropped, loudly.
 */
export class OutboxRecorder {
  private pending: PublishedEvent[] = [];
  private readonly reserved = new Map<string, { since: number; events: PublishedEvent[] }>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busySince: number | undefined;
  private droppedLoggedAt = -Infinity;
  private readonly clock: () => number;
  dropped = 0;
  stored = 0;

  constructor(private readonly options: RecorderOptions) {
    this.clock = options.clock ?? Date.now;
  }

  get depth(): number {
    let n = this.pending.length;
    for (const entry of this.reserved.values()) n += entry.events.length;
    return n;
  }

  publish(event: PublishedEvent): void {
    const reserved = this.reserved.get(event.key);
    if (reserved) reserved.events.push(event);
    else this.pending.push(event);
    const excess = this.pending.length - (this.options.maxPending ?? 50_000);
    if (excess > 0) {
      this.pending.splice(0, excess);
      this.dropped += excess;
      const now = this.clock();
      if (now - this.droppedLoggedAt >= 10_000) {
        this.droppedLoggedAt = now;
        this.options.log.error(`outbox: more events waited to be stored than the limit (the database stays busy): the oldest were dropped, ${this.dropped} so far`);
      }
    }
    this.schedule(this.options.flushMs ?? 25);
  }

  /** The call's end is on its way to the history: its waiting events go with it (see writeWithCall). */
  reserve(key: string): void {
    if (this.reserved.has(key)) return;
    const mine = this.pending.filter((event) => event.key === key);
    if (mine.length) this.pending = this.pending.filter((event) => event.key !== key);
    this.reserved.set(key, { since: this.clock(), events: mine });
  }

  /**
   * Inside the transaction that records a call: stores its waiting events, then `events`
   * (its end). Run again if that transaction is rolled back and retried; `committed` after
   * it commits. Returns how many were stored.
   */
  writeWithCall(key: string, events: readonly PublishedEvent[]): number {
    const waiting = this.reserved.get(key)?.events ?? [];
    let n = 0;
    const now = this.clock();
    for (const event of [...waiting, ...events]) n += this.storeNow(event, now);
    return n;
  }

  committed(key: string, stored: number): void {
    this.reserved.delete(key);
    this.stored += stored;
    if (stored) this.options.onStored?.();
  }

  /** Writes what is waiting now, in one transaction; returns how many events were stored. */
  flush(): number {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.releaseStale();
    if (!this.pending.length) return 0;
    const batch = this.pending;
    this.pending = [];
    let n = 0;
    try {
      this.options.store.history.sqlite.transaction(() => {
        const now = this.clock();
        for (const event of batch) n += this.storeNow(event, now);
      })();
    } catch (error) {
      this.pending = batch.concat(this.pending);
      if (!isBusyError(error)) {
        // Not a lock that will pass: keep the order, try less often, say so once.
        this.options.log.error(`outbox: storing ${batch.length} events failed (will retry): ${(error as Error).message}`);
      } else if (this.busySince === undefined) {
        this.busySince = this.clock();
        this.options.log.warn("outbox: the database is busy (another process is writing); keeping events to retry");
      }
      this.schedule(isBusyError(error) ? 100 : 1000);
      return 0;
    }
    this.busySince = undefined;
    this.stored += n;
    if (n) this.options.onStored?.();
    return n;
  }

  /** Stores one event now, inside the caller's transaction (1), or not at all when no target wants it (0). */
  storeNow(event: PublishedEvent, now = this.clock()): number {
    let data: Record<string, unknown>;
    try {
      data = event.data();
    } catch (error) {
      this.options.log.error(`outbox: a ${event.type} event of ${event.key} could not be built, not stored: ${(error as Error).message}`);
      return 0;
    }
    const stored: OutboxEvent = { type: event.type, key: event.key, at: event.at, data };
    const targets = this.options.routing()(stored);
    if (!targets.length) return 0;
    this.options.store.enqueue(stored, targets, now);
    return 1;
  }

  /** Reserved events of a call whose end was never written (it failed) go out on their own. */
  private releaseStale(): void {
    const oldest = this.clock() - (this.options.reservedMaxMs ?? 60_000);
    for (const [key, entry] of this.reserved) {
      if (entry.since >= oldest) continue;
      this.reserved.delete(key);
      this.pending.push(...entry.events);
    }
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), ms);
    this.timer.unref?.();
  }
}
