import type { HistoryConnection } from "./connection.ts";

export const DEFAULT_RETENTION_DAYS = 365;

const DAY_MS = 86_400_000;
/** Deleting in slices keeps each write transaction short, so per-call writers are not held up. */
const SLICE = 5000;
/** The tables pruned, by the column that dates a row. */
const DATED: ReadonlyArray<readonly [table: string, column: string]> = [
  ["calls", "started_at"],
  ["smart_decisions", "at"],
];

/**
 * Deletes calls and decisions older than `retentionDays` (0 keeps everything), at most once
 * a day whoever asks: the server and the per-call processes both call this, and the time
 * of the last complete pruning is kept in the database itself. `maxSlices` bounds the work
 * of one call (a per-call process must exit promptly): pruning left unfinished is not
 * marked done, so the next caller goes on with it. Returns the number of rows deleted.
 */
export function pruneIfDue(history: HistoryConnection, retentionDays: number, now: number = Date.now(), maxSlices = Number.POSITIVE_INFINITY): number {
  if (retentionDays <= 0) return 0;
  const last = history.sqlite.query("SELECT value FROM meta WHERE key = 'last_pruned_at'").get() as { value: string } | null;
  if (last && now - Number(last.value) < DAY_MS) return 0;
  const cutoff = now - retentionDays * DAY_MS;
  let deleted = 0;
  let slices = 0;
  for (const [table, column] of DATED) {
    const slice = history.sqlite.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ? LIMIT ${SLICE})`);
    for (;;) {
      if (slices >= maxSlices) return deleted;
      const { changes } = slice.run(cutoff);
      // A slice that found nothing (a table already pruned) costs one index seek: not counted.
      if (changes > 0) slices++;
      deleted += changes;
      if (changes < SLICE) break;
    }
  }
  history.sqlite.query("INSERT INTO meta (key, value) VALUES ('last_pruned_at', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(now));
  return deleted;
}
