import type { Statement } from "bun:sqlite";
import type { History } from "../history/db.ts";

export interface DncEntry {
  number: string;
  addedAt: number;
  source: string;
  campaign: string | null;
  note: string | null;
}

/**
 * The do-not-call list, in the history database: E.164 numbers, checked before every dial
 * (the API's, and each campaign number when its turn comes), added to by the API and at
 * once by a campaign's opt-out key.
 */
export class DoNotCall {
  private readonly has: Statement;
  private readonly insert: Statement;
  private readonly remove: Statement;
  private readonly page: Statement;

  constructor(history: History) {
    const db = history.sqlite;
    this.has = db.prepare("SELECT 1 AS found FROM outbound_dnc WHERE number = ?");
    this.insert = db.prepare("INSERT INTO outbound_dnc (number, added_at, source, campaign, note) VALUES (?, ?, ?, ?, ?) ON CONFLICT (number) DO NOTHING");
    this.remove = db.prepare("DELETE FROM outbound_dnc WHERE number = ?");
    this.page = db.prepare("SELECT number, added_at AS addedAt, source, campaign, note FROM outbound_dnc WHERE number > ? ORDER BY number LIMIT ?");
  }

  blocks(number: string): boolean {
    return this.has.get(number) !== null;
  }

  /** True when the number was not on the list yet. */
  add(number: string, source: string, options: { campaign?: string | null; note?: string | null; at?: number } = {}): boolean {
    return this.insert.run(number, options.at ?? Date.now(), source, options.campaign ?? null, options.note ?? null).changes > 0;
  }

  delete(number: string): boolean {
    return this.remove.run(number).changes > 0;
  }

  /** In number order, after `after` (the last number of the previous page). */
  list(limit: number, after = ""): DncEntry[] {
    return this.page.all(after, limit) as DncEntry[];
  }
}
