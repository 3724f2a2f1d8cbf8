import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { applyMigrations } from "./migrate.ts";

/**
 * The history's SQLite connection without a query layer: what a per-call process needs to
 * write its record (db.ts adds drizzle for everything that reads or reports).
 */
export interface HistoryConnection {
  readonly sqlite: Database;
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
export { busy as isBusyError } from "./write-batch.ts";

/**
 * Opens (creating if needed) the call history's file and brings its schema up to date.
 * WAL lets readers (the API) run beside the per-call writers; busy_timeout makes concurrent
 * writers queue instead of failing; synchronous=NORMAL is durable across application
 * crashes in WAL mode (only a power loss can drop the last commits, never corrupt the file).
 */
export function openHistoryDatabase(path: string, options: { busyTimeoutMs?: number } = {}): Database {
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
  return sqlite;
}
