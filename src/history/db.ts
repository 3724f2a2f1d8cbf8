import { Database } from "bun:sqlite";
import { type BunSQLiteDatabase, drizzle } from "drizzle-orm/bun-sqlite";
import { BUSY_TIMEOUT_MS, type HistoryConnection, openHistoryDatabase } from "./connection.ts";
import * as schema from "./schema.ts";

export { BUSY_TIMEOUT_MS, isBusyError, PER_CALL_BUSY_TIMEOUT_MS, SERVER_BUSY_TIMEOUT_MS } from "./connection.ts";

export type HistoryDb = BunSQLiteDatabase<typeof schema> & { $client: Database };

export interface History extends HistoryConnection {
  readonly path: string;
  readonly db: HistoryDb;
  readonly sqlite: Database;
  close(): void;
}

/**
 * Opens an existing history read-only (for `ivr calls`, and a per-call process's Smart
 * lookups before the menu): never creates or migrates a file, so it never waits on a lock
 * nor runs a migration while a caller waits. Throws when there is no file.
 */
export function openHistoryReadOnly(path: string, options: { busyTimeoutMs?: number } = {}): History {
  const sqlite = new Database(path, { readonly: true, strict: true });
  sqlite.run(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? BUSY_TIMEOUT_MS}`);
  const db = drizzle({ client: sqlite, schema }) as HistoryDb;
  return { path, db, sqlite, close: () => sqlite.close() };
}

/** Opens (creating if needed) the call history, with drizzle over it (see openHistoryDatabase). */
export function openHistory(path: string, options: { busyTimeoutMs?: number } = {}): History {
  const sqlite = openHistoryDatabase(path, options);
  const db = drizzle({ client: sqlite, schema }) as HistoryDb;
  return { path, db, sqlite, close: () => sqlite.close() };
}
