import type { Database } from "bun:sqlite";
import { MIGRATIONS } from "./migrations.ts";

/** A database written by a newer ivr: its schema may mean things this version does not know. */
export class NewerSchemaError extends Error {
  override name = "NewerSchemaError";
}

function userVersion(sqlite: Database): number {
  return (sqlite.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}

/**
 * Applies the migrations not yet applied. Many per-call processes may open a new database
 * at the same moment: BEGIN IMMEDIATE takes the write lock first (waiting busy_timeout), and
 * the version is read again inside it, so each migration runs exactly once.
 */
export function applyMigrations(sqlite: Database): number {
  if (userVersion(sqlite) === MIGRATIONS.length) return 0; // the usual case: no lock taken
  sqlite.run("BEGIN IMMEDIATE");
  try {
    const from = userVersion(sqlite);
    if (from > MIGRATIONS.length) {
      throw new NewerSchemaError(`the database schema is version ${from}, newer than this ivr knows (${MIGRATIONS.length}): upgrade ivr`);
    }
    for (const migration of MIGRATIONS.slice(from)) sqlite.run(migration.sql);
    sqlite.run(`PRAGMA user_version = ${MIGRATIONS.length}`);
    sqlite.run("COMMIT");
    return MIGRATIONS.length - from;
  } catch (error) {
    sqlite.run("ROLLBACK");
    throw error;
  }
}
