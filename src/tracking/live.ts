import { type CallFields, callFields, type LegSummary, legSummary, type TransferSummary, transferSummary } from "./summary.ts";
import type { Tracker } from "./tracker.ts";
import type { CallRec, Leg } from "./types.ts";

export type LiveEventType = "call.started" | "call.ringing" | "call.answered" | "call.transferred" | "call.merged" | "call.ended";

/** One change of a call, as the event stream sends it. */
export interface LiveEvent {
  /** Increasing, also across restarts (they start from the boot time), so a stale Last-Event-ID is recognized. */
  id: number;
  type: LiveEventType;
  at: number;
  call: CallFields;
  /** call.ringing: the leg ringing; call.answered: the party that answered. */
  leg?: LegSummary;
  /** The leg's place among the call's legs. */
  legPosition?: number;
  transfer?: TransferSummary;
  /** call.merged: the call id that is now part of `call`. */
  mergedFrom?: string;
}

export interface LiveFeedOptions {
  /** How far back a client can resume. */
  windowMs: number;
  maxEvents: number;
  clock?: () => number;
}

/**
 * The tracker's changes with ids, kept for a short window so that an event stream client
 * that reconnects with Last-Event-ID misses nothing; subscribers get each event as it
 * happens. Listeners must not block (the event stream queues per client).
 */
export class LiveFeed {
  private readonly events: LiveEvent[] = [];
  /** When each event was added (the window is in our time, not the events'). */
  private readonly added: number[] = [];
  private head = 0;
  private nextId: number;
  private readonly listeners = new Set<(event: LiveEvent) => void>();
  private readonly clock: () => number;

  constructor(
    tracker: Tracker,
    private readonly options: LiveFeedOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.nextId = this.clock() * 1000;
    const bus = tracker.bus;
    bus.on("call.started", ({ call, at }) => this.add({ type: "call.started", at, call: callFields(call) }));
    const position = (call: CallRec, leg: Leg) => [...call.legs.keys()].indexOf(leg.id);
    bus.on("call.ringing", ({ call, leg, at }) => this.add({ type: "call.ringing", at, call: callFields(call), leg: legSummary(call, leg), legPosition: position(call, leg) }));
    bus.on("call.answered", ({ call, leg, at }) => this.add({ type: "call.answered", at, call: callFields(call), leg: legSummary(call, leg), legPosition: position(call, leg) }));
    bus.on("call.transferred", ({ call, transfer, at }) => this.add({ type: "call.transferred", at, call: callFields(call), transfer: transferSummary(call, transfer) }));
    bus.on("call.merged", ({ from, into, at }) => this.add({ type: "call.merged", at, call: callFields(into), mergedFrom: from }));
    bus.on("call.ended", ({ call, at }) => this.add({ type: "call.ended", at, call: callFields(call) }));
  }

  get lastId(): number {
    return this.nextId - 1;
  }

  /** Live from now on; returns the unsubscribe function. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** The events after `lastId`, or undefined when some of them have left the window (the client must reload). */
  since(lastId: number): LiveEvent[] | undefined {
    this.expire();
    if (lastId >= this.lastId) return lastId === this.lastId ? [] : undefined;
    const first = this.events[this.head];
    if (!first || lastId < first.id - 1) return undefined;
    return this.events.slice(this.head + (lastId - first.id + 1));
  }

  private add(event: Omit<LiveEvent, "id">): void {
    const live = { id: this.nextId++, ...event } as LiveEvent;
    this.events.push(live);
    this.added.push(this.clock());
    this.expire();
    for (const listener of this.listeners) {
      try {
        listener(live);
      } catch {
        // A subscriber's failure is its own: the others and the tracker carry on.
      }
    }
  }

  private expire(): void {
    const oldest = this.clock() - this.options.windowMs;
    while (this.events.length - this.head > this.options.maxEvents || (this.head < this.events.length && this.added[this.head]! < oldest)) this.head++;
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events.splice(0, this.head);
      this.added.splice(0, this.head);
      this.head = 0;
    }
  }
}
