import type { Logger } from "../log.ts";
import type { Database } from "bun:sqlite";
import { openHistoryDatabase, PER_CALL_BUSY_TIMEOUT_MS } from "./connection.ts";
import { insertRecord } from "./insert.ts";
import type { CallRecord } from "./record.ts";
import { DEFAULT_RETENTION_DAYS, pruneIfDue } from "./retention.ts";
import { importSpool, spoolDirFor, spoolRecord } from "./spool.ts";

/** A per-call process imports at most this many spooled records, so its exit stays prompt. */
export const PER_CALL_IMPORT_LIMIT = 20;
/** ...and deletes at most this many slices of old rows (5000 each); the next call goes on. */
const PER_CALL_PRUNE_SLICES = 1;

/**
 * The per-call process's record, after the AGI session is closed. Asterisk still holds the
 * channel until this process exits (res_agi waits for it), so nothing here may wait long:
 * at most PER_CALL_BUSY_TIMEOUT_MS for the lock, then the record goes to the spool. When the
 * write went through, a few spooled records are imported and old rows pruned (both
 * bounded). A failure is logged with the call's summary line still in the log, and never
 * changes the exit status.
 */
export function recordCallOnce(record: CallRecord, dbPath: string, log: Logger, retentionDays = DEFAULT_RETENTION_DAYS): boolean {
  const spool = spoolDirFor(dbPath);
  let sqlite: Database | undefined;
  try {
    sqlite = openHistoryDatabase(dbPath, { busyTimeoutMs: PER_CALL_BUSY_TIMEOUT_MS });
    const id = insertRecord({ sqlite }, record);
    log.info(id === undefined ? `already recorded in ${dbPath}` : `recorded as call ${id} in ${dbPath}`);
  } catch (error) {
    sqlite?.close();
    return spoolInstead(record, spool, (error as Error).message, log);
  }
  const history = { sqlite };
  try {
    const { imported } = importSpool(history, spool, { maxFiles: PER_CALL_IMPORT_LIMIT });
    if (imported) log.info(`imported ${imported} spooled calls from ${spool}`);
    const pruned = pruneIfDue(history, retentionDays, Date.now(), PER_CALL_PRUNE_SLICES);
    if (pruned) log.info(`pruned ${pruned} rows older than the retention period`);
  } catch (error) {
    log.warn(`history upkeep skipped (the next call retries): ${(error as Error).message}`);
  } finally {
    sqlite.close();
  }
  return true;
}

function spoolInstead(record: CallRecord, spool: string, reason: string, log: Logger): boolean {
  try {
    const file = spoolRecord(spool, record);
    log.warn(`history not writable now (${reason}); the call is spooled to ${file} and will be imported by the next call or ivr serve`);
    return true;
  } catch (error) {
    // The last place the record can go: the log, whole, so that nothing is silently lost.
    log.error(`call NOT recorded (${reason}; spool: ${(error as Error).message}): ${JSON.stringify(record.call)}`);
    return false;
  }
}
