import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import type { Logger } from "../log.ts";
import { type Override, overrideFromRow } from "./overrides.ts";

/**
 * How long a per-call process waits for the history to be readable. In WAL mode a reader does
 * not wait for writers, so this only matters while the file is being recovered or checkpointed
 * with truncation; the caller is not held longer than this, and the schedule then rules alone.
 */
export const OVERRIDE_READ_BUSY_MS = 50;

/**
 * The overrides a per-call process sees: ivr serve holds them in memory and writes them to
 * the history's schedule_overrides table, which is read here, read-only, with bun:sqlite alone
 * (not drizzle: nothing more is loaded than this query needs), once per process and only when
 * a schedule is asked about. No history yet, an older one without the table, a locked or
 * unreadable file: no override (logged unless there is simply no file).
 */
export function historyOverrides(dbPath: string, log: Logger): (schedule: string) => Override | undefined {
  let rows: Map<string, Override> | undefined;
  return (schedule) => {
    rows ??= readAll(dbPath, log);
    return rows.get(schedule);
  };
}

function readAll(dbPath: string, log: Logger): Map<string, Override> {
  const found = new Map<string, Override>();
  if (!existsSync(dbPath)) return found;
  let db: Database | undefined;
  try {
    db = new Database(dbPath, { readonly: true });
    db.run(`PRAGMA busy_timeout = ${OVERRIDE_READ_BUSY_MS}`);
    const hasTable = db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schedule_overrides'").get();
    if (!hasTable) return found;
    const rows = db.query("SELECT schedule, state, until, set_at AS setAt FROM schedule_overrides").all() as Array<{ schedule: string; state: string; until: string; setAt: number }>;
    for (const row of rows) {
      const override = overrideFromRow(row);
      if (override) found.set(row.schedule, override);
    }
  } catch (error) {
    log.warn(`schedules: overrides not read from ${dbPath} (${(error as Error).message}); the schedules rule alone for this call`);
  } finally {
    db?.close();
  }
  return found;
}
