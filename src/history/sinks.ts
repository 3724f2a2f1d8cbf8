import type { LoadedConfig } from "../config/schema.ts";
import type { IvrCall } from "../ivr/run.ts";
import type { Logger } from "../log.ts";
import { openHistory } from "./db.ts";
import { insertCall, ivrCallRow } from "./record.ts";
import { DEFAULT_RETENTION_DAYS, pruneIfDue } from "./retention.ts";

/**
 * The per-call process's record: open, insert, prune if due, close. Runs after the AGI
 * session is closed (the caller is already on their way); a failure is logged with the
 * call's summary line still in the log, and never changes the exit status.
 */
export function recordCallOnce(call: IvrCall, loaded: LoadedConfig, dbPath: string, log: Logger): boolean {
  let history: ReturnType<typeof openHistory> | undefined;
  try {
    history = openHistory(dbPath);
    const id = insertCall(history, ivrCallRow(call, loaded.config.country));
    log.info(`recorded as call ${id} in ${dbPath}`);
    const pruned = pruneIfDue(history, loaded.config.database?.retention_days ?? DEFAULT_RETENTION_DAYS);
    if (pruned) log.info(`pruned ${pruned} rows older than the retention period`);
    return true;
  } catch (error) {
    log.error(`call not recorded in ${dbPath}: ${(error as Error).message}`);
    return false;
  } finally {
    history?.close();
  }
}
