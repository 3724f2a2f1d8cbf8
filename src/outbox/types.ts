/**
 * The outbox's vocabulary. An event happened (a call rang, an IVR caller pressed keys); it is
 * stored once, with its place in its call's sequence, and one delivery per target that wants
 * it. Targets (a webhook URL, Bitrix24, RetailCRM) deliver it at least once, in order per
 * call (the ordering key), with retries.
 */

/** An event as the product publishes it, before it is stored. */
export interface OutboxEvent {
  /** `call.ringing`, `ivr.input`, `smart.decision`... */
  type: string;
  /** What the order is kept per: the call's id. */
  key: string;
  /** When it happened (ms since the epoch). */
  at: number;
  /** The event's data; `call_id` and `sequence` are added when it is stored. */
  data: Record<string, unknown>;
}

/** One delivery as a target receives it: the stored event and how it has fared so far. */
export interface DeliveryItem {
  /** The delivery's id. */
  id: number;
  eventId: number;
  /** The idempotency key: the same on every attempt (webhook-id). */
  messageId: string;
  key: string;
  sequence: number;
  type: string;
  at: number;
  /** The JSON body as stored (and signed). */
  payload: string;
  attempts: number;
  createdAt: number;
}

/**
 * What an attempt came to. `delivered` counts the items, from the first, that are done (a
 * target may take several of one call at once). On an error the rest stay pending, unless
 * `permanent` (no retry can help: a 410, a request the receiver refuses): then the first of
 * them is given up at once. `retryAfterMs` is the receiver's own wish (Retry-After).
 */
export type DeliveryResult = { delivered: number; error?: undefined } | { delivered: number; error: string; permanent?: boolean; retryAfterMs?: number };

export interface DeliveryContext {
  /** Aborted when ivr serve stops: an attempt in flight ends at once (and is retried after the restart). */
  signal: AbortSignal;
  now: () => number;
}

/** Somewhere deliveries go. */
export interface Target {
  /** Stable across restarts and config reloads: `webhook:<name>`, `bitrix24`, `retailcrm`. */
  readonly name: string;
  /** Whether this target wants the event (a webhook's events list; a CRM wants calls with an outside party). */
  accepts(event: OutboxEvent): boolean;
  /** Deliveries in flight at once (each for a different call). */
  readonly concurrency: number;
  /** How many consecutive deliveries of one call it may take in one attempt (batching). */
  readonly batch: number;
  deliver(items: readonly DeliveryItem[], context: DeliveryContext): Promise<DeliveryResult>;
}
