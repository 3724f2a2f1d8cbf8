import type { SQLQueryBindings } from "bun:sqlite";
import { randomUUID } from "node:crypto";
import type { History } from "../history/db.ts";
import type { DeliveryItem, OutboxEvent } from "./types.ts";

export type DeliveryState = "pending" | "delivered" | "failed";

/** A delivery as the API lists it. */
export interface DeliveryRecord extends DeliveryItem {
  target: string;
  state: DeliveryState;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  deliveredAt: number | null;
  lastError: string | null;
}

const COLUMNS = `d.id, d.event_id AS eventId, e.message_id AS messageId, d.ordering_key AS key, e.sequence, e.type, e.at, e.payload,
  d.attempts, d.created_at AS createdAt, d.target, d.state, d.next_attempt_at AS nextAttemptAt, d.last_attempt_at AS lastAttemptAt,
  d.delivered_at AS deliveredAt, d.last_error AS lastError`;

/**
 * next_attempt_at of a delivery waiting for an earlier one of its call to the same target:
 * never due by itself. When the one before it is delivered it becomes due at once, so the
 * index of due deliveries holds only the first of each call, however long the queue.
 */
export const WAITING = Number.MAX_SAFE_INTEGER;

/** Idempotency keys as Standard Webhooks spells them (no dots: they are part of what is signed). */
export const newMessageId = () => `msg_${randomUUID().replace(/-/g, "")}`;

/**
 * The outbox's tables (history migration 0005), through statements prepared once: the
 * write path runs for every event of every call. Writes happen inside the caller's
 * transaction (enqueue) or are single statements; nothing here waits on the network.
 */
export class OutboxStore {
  private readonly sql;

  constructor(readonly history: History) {
    const db = history.sqlite;
    this.sql = {
      nextSequence: db.prepare(
        `INSERT INTO outbox_sequences (ordering_key, sequence, updated_at) VALUES (?, 1, ?)
         ON CONFLICT (ordering_key) DO UPDATE SET sequence = sequence + 1, updated_at = excluded.updated_at RETURNING sequence`,
      ),
      insertEvent: db.prepare("INSERT INTO outbox_events (message_id, ordering_key, sequence, type, at, payload, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"),
      insertDelivery: db.prepare("INSERT INTO outbox_deliveries (event_id, target, ordering_key, state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?)"),
      open: db.prepare("SELECT 1 AS open FROM outbox_deliveries WHERE target = ? AND ordering_key = ? AND state <> 'delivered' LIMIT 1"),
      // The first open delivery of the call (through the index of open ones), if it is waiting.
      promote: db.prepare(
        `UPDATE outbox_deliveries SET next_attempt_at = ?
         WHERE id = (SELECT min(id) FROM outbox_deliveries WHERE target = ? AND ordering_key = ? AND state <> 'delivered')
           AND state = 'pending' AND next_attempt_at = ${WAITING}`,
      ),
      // Due: pending, its time come, and the first open delivery of its call to its target.
      due: db.prepare(
        `SELECT ${COLUMNS} FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id
         WHERE d.state = 'pending' AND d.next_attempt_at <= ?
           AND d.id = (SELECT min(o.id) FROM outbox_deliveries o WHERE o.target = d.target AND o.ordering_key = d.ordering_key AND o.state <> 'delivered')
         ORDER BY d.next_attempt_at, d.id LIMIT ?`,
      ),
      following: db.prepare(
        `SELECT ${COLUMNS} FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id
         WHERE d.target = ? AND d.ordering_key = ? AND d.state <> 'delivered' AND d.id > ? ORDER BY d.id LIMIT ?`,
      ),
      delivered: db.prepare("UPDATE outbox_deliveries SET state = 'delivered', attempts = attempts + 1, last_attempt_at = ?, delivered_at = ?, last_error = NULL WHERE id = ? AND state = 'pending'"),
      attemptFailed: db.prepare("UPDATE outbox_deliveries SET attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'pending'"),
      givenUp: db.prepare("UPDATE outbox_deliveries SET state = 'failed', attempts = attempts + 1, last_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'pending'"),
      holdBack: db.prepare("UPDATE outbox_deliveries SET state = 'failed', last_error = ? WHERE target = ? AND ordering_key = ? AND id > ? AND state = 'pending'"),
      // New deliveries of a call whose earlier delivery is a dead letter wait behind it, as dead letters too.
      heldBehindFailed: db.prepare(
        `UPDATE outbox_deliveries SET state = 'failed', last_error = 'held back: an earlier delivery of this call to this target failed'
         WHERE state = 'pending' AND EXISTS (SELECT 1 FROM outbox_deliveries f WHERE f.target = outbox_deliveries.target
           AND f.ordering_key = outbox_deliveries.ordering_key AND f.id < outbox_deliveries.id AND f.state = 'failed')`,
      ),
      byId: db.prepare(`SELECT ${COLUMNS} FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id WHERE d.id = ?`),
      retryKey: db.prepare(
        "UPDATE outbox_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, created_at = ?, last_error = NULL WHERE target = ? AND ordering_key = ? AND state = 'failed'",
      ),
      counts: db.prepare("SELECT target, state, count(*) AS n, min(created_at) AS oldest FROM outbox_deliveries WHERE state IN ('pending', 'failed') GROUP BY target, state"),
      pruneDeliveries: db.prepare("DELETE FROM outbox_deliveries WHERE state = 'delivered' AND delivered_at < ?"),
      pruneEvents: db.prepare("DELETE FROM outbox_events WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.event_id = outbox_events.id)"),
      pruneSequences: db.prepare("DELETE FROM outbox_sequences WHERE updated_at < ?"),
      cursor: db.prepare("SELECT last_id AS lastId FROM outbox_cursors WHERE name = ?"),
      setCursor: db.prepare("INSERT INTO outbox_cursors (name, last_id) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id"),
    };
  }

  /**
   * Stores an event, numbered in its call's sequence, with a pending delivery for each
   * target. Call inside a transaction (with the change that caused it). Returns the event's id.
   */
  enqueue(event: OutboxEvent, targets: readonly string[], now: number): number {
    const { sequence } = this.sql.nextSequence.get(event.key, now) as { sequence: number };
    const payload = JSON.stringify({ type: event.type, timestamp: new Date(event.at).toISOString(), data: { ...event.data, sequence } });
    const { id } = this.sql.insertEvent.get(newMessageId(), event.key, sequence, event.type, event.at, payload, now) as { id: number };
    for (const target of targets) this.sql.insertDelivery.run(id, target, event.key, this.sql.open.get(target, event.key) ? WAITING : now, now);
    return id;
  }

  /** Deliveries whose turn it is, oldest due first. */
  due(now: number, limit: number): DeliveryRecord[] {
    return this.sql.due.all(now, limit) as DeliveryRecord[];
  }

  /** The open deliveries of the same call to the same target after `item`, in order (for a target that batches). */
  following(item: DeliveryRecord, limit: number): DeliveryRecord[] {
    if (limit <= 0) return [];
    return (this.sql.following.all(item.target, item.key, item.id, limit) as DeliveryRecord[]).filter((row) => row.state === "pending");
  }

  get(id: number): DeliveryRecord | undefined {
    return (this.sql.byId.get(id) as DeliveryRecord | null) ?? undefined;
  }

  /** Deliveries of one call to one target are done; the next of that call becomes due. */
  markDelivered(items: readonly Pick<DeliveryRecord, "id" | "target" | "key">[], now: number): void {
    if (!items.length) return;
    this.history.sqlite.transaction(() => {
      for (const item of items) this.sql.delivered.run(now, now, item.id);
      const last = items.at(-1)!;
      this.sql.promote.run(now, last.target, last.key);
    })();
  }

  /** A failed attempt: tried again at `retryAt`, or given up (with the rest of its call to that target held back). */
  markFailed(item: DeliveryRecord, now: number, error: string, retryAt: number | undefined): void {
    if (retryAt !== undefined) {
      this.sql.attemptFailed.run(now, retryAt, error, item.id);
      return;
    }
    this.history.sqlite.transaction(() => {
      this.sql.givenUp.run(now, error, item.id);
      this.sql.holdBack.run(`held back: delivery ${item.id} of this call to this target failed`, item.target, item.key, item.id);
    })();
  }

  /** Pending deliveries queued behind a dead letter of their call become dead letters too. Returns how many. */
  holdBehindFailed(): number {
    return this.sql.heldBehindFailed.run().changes;
  }

  /**
   * A dead letter goes back to pending, with every other dead letter of its call to that
   * target (so they are still delivered in order), as new: a full retry window. Returns how many.
   */
  retry(id: number, now: number): number {
    const item = this.get(id);
    if (!item || item.state !== "failed") return 0;
    return this.retryKey(item.target, item.key, now);
  }

  private retryKey(target: string, key: string, now: number): number {
    return this.history.sqlite.transaction(() => {
      const n = this.sql.retryKey.run(WAITING, now, target, key).changes;
      this.sql.promote.run(now, target, key);
      return n;
    })();
  }

  /** Every dead letter (of one target) back to pending. */
  retryAll(now: number, target?: string): number {
    const keys = this.history.sqlite
      .query(`SELECT DISTINCT target, ordering_key AS key FROM outbox_deliveries WHERE state = 'failed'${target ? " AND target = ?" : ""}`)
      .all(...((target ? [target] : []) as SQLQueryBindings[])) as Array<{ target: string; key: string }>;
    let count = 0;
    this.history.sqlite.transaction(() => {
      for (const k of keys) count += this.retryKey(k.target, k.key, now);
    })();
    return count;
  }

  /** Deliveries in a state, newest first, for the API. */
  list(options: { state?: DeliveryState; target?: string; before?: number; limit: number }): DeliveryRecord[] {
    const conditions: Array<[string, SQLQueryBindings | undefined]> = [
      ["d.state = ?", options.state],
      ["d.target = ?", options.target],
      ["d.id < ?", options.before],
    ];
    const used = conditions.filter(([, value]) => value !== undefined);
    const where = used.map(([condition]) => condition);
    const params = used.map(([, value]) => value!);
    const sql = `SELECT ${COLUMNS} FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY d.id DESC LIMIT ?`;
    return this.history.sqlite.query(sql).all(...params, options.limit) as DeliveryRecord[];
  }

  /** Pending and failed deliveries per target, and when the oldest of each was created. */
  counts(): Array<{ target: string; state: "pending" | "failed"; n: number; oldest: number }> {
    return this.sql.counts.all() as Array<{ target: string; state: "pending" | "failed"; n: number; oldest: number }>;
  }

  /** Forgets deliveries delivered before `before`, and events and sequences nothing refers to any more. */
  prune(before: number): number {
    return this.history.sqlite.transaction(() => {
      const deliveries = this.sql.pruneDeliveries.run(before).changes;
      this.sql.pruneEvents.run(before);
      this.sql.pruneSequences.run(before);
      return deliveries;
    })();
  }

  cursor(name: string): number | undefined {
    return (this.sql.cursor.get(name) as { lastId: number } | null)?.lastId;
  }

  setCursor(name: string, lastId: number): void {
    this.sql.setCursor.run(name, lastId);
  }
}
