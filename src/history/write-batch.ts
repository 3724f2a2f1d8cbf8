import type { Database, SQLQueryBindings } from "bun:sqlite";

/** Rows for one statement: its SQL and one array of values per row, in the statement's order. */
export interface BatchPart {
  sql: string;
  rows: SQLQueryBindings[][];
}

/** What became of a batch: written, kept back by another process's lock, or failed for good. */
export type BatchOutcome = { state: "written" } | { state: "busy" } | { state: "failed"; message: string };

/**
 * Runs every row of every part in one transaction, all or nothing. The statements are
 * prepared once per connection (bun:sqlite caches query() by its text). Imports nothing but
 * types: it is also all the history writer thread runs (write-thread.ts).
 */
export function runBatch(sqlite: Database, parts: readonly BatchPart[]): BatchOutcome {
  try {
    sqlite.transaction(() => {
      for (const { sql, rows } of parts) {
        const statement = sqlite.query(sql);
        for (const values of rows) statement.run(...values);
      }
    })();
    return { state: "written" };
  } catch (error) {
    return busy(error) ? { state: "busy" } : { state: "failed", message: (error as Error).message ?? String(error) };
  }
}

/** Another connection holds the lock (SQLITE_BUSY): the write may succeed later. */
export function busy(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (typeof code === "string" && code.startsWith("SQLITE_BUSY")) || /database is locked/i.test(String(message ?? error));
}
