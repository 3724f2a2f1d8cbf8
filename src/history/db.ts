import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { type BunSQLiteDatabase, drizzle } from "drizzle-orm/bun-sqlite";
import { applyMigrations } from "./migrate.ts";
import { busy } from "./write-batch.ts";
import * as schema from "./schema.ts";

export type HistoryDb = BunSQLiteDatabase<typeof schema> & { $client: Database };

export interface History {
  readonly path: string;
  readonly db: HistoryDb;
  readonly sqlite: Database;
  close(): void;
}

/**
 * How long a connection waits for another process's write lock before giving up: the
 * default, for commands an administrator runs (`ivr calls`). ivr serve cannot wait
 * (bun:sqlite is synchronous: waiting would stall every call and request), so it opens with
 * a short timeout and its write queue retries; a per-call process cannot either (see below).
 */
export const BUSY_TIMEOUT_MS = 10_000;
export const SERVER_BUSY_TIMEOUT_MS = 100;

/**
 * A per-call process waits at most this long for the write lock after the call: Asterisk
 * holds the channel until the process exits (res_agi waitpid), so past it the record goes
 * to the spool instead.
 */
export const PER_CALL_BUSY_TIMEOUT_MS = 100;

/** Another connection holds the lock (SQLITE_BUSY): the write may succeed later. */
export const isBusyError = busy;

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

/**
 * Opens (creating if needed) the call history. WAL lets readers (the API) run beside the
 * per-call writers; busy_timeout makes concurrent writers queue instead of failing;
 * synchronous=NORMAL is durable across application crashes in WAL mode (only a power loss
 * can drop the last commits, never corrupt the file).
 */
export function openHistory(path: string, options: { busyTimeoutMs?: number } = {}): History {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path, { create: true, strict: true });
  try {
    sqlite.run(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? BUSY_TIMEOUT_MS}`);
    sqlite.run("PRAGMA journal_mode = WAL");
    sqlite.run("PRAGMA synchronous = NORMAL");
    applyMigrations(sqlite);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const db = drizzle({ client: sqlite, schema }) as HistoryDb;
  return { path, db, sqlite, close: () => sqlite.close() };
}
