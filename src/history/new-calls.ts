import { asc, gt, max } from "drizzle-orm";
import type { History } from "./db.ts";
import { calls } from "./schema.ts";

export interface NewCall {
  id: number;
  externalNumber: string | null;
  externalNumberRaw: string | null;
}

/**
 * Notices calls other processes add to the history (per-call processes, spool imports):
 * rows with an id above the last one seen, read by the primary key, so a poll costs one
 * index range scan however big the history is.
 */
export class NewCallsWatcher {
  private lastId: number;

  constructor(private readonly history: History) {
    this.lastId = history.db.select({ id: max(calls.id) }).from(calls).get()?.id ?? 0;
  }

  /** The calls added since the last poll, oldest first, at most `limit` (the rest next time). */
  poll(limit = 1000): NewCall[] {
    const rows = this.history.db
      .select({ id: calls.id, externalNumber: calls.externalNumber, externalNumberRaw: calls.externalNumberRaw })
      .from(calls)
      .where(gt(calls.id, this.lastId))
      .orderBy(asc(calls.id))
      .limit(limit)
      .all();
    if (rows.length) this.lastId = rows.at(-1)!.id;
    return rows;
  }
}
