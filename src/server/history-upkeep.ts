import { isBusyError, type History } from "../history/db.ts";
import { type NewCall, NewCallsWatcher } from "../history/new-calls.ts";
import { importSpool } from "../history/spool.ts";
import type { WriteHealth } from "../history/write-health.ts";
import type { Logger } from "../log.ts";

export interface HistoryUpkeepOptions {
  history: History;
  spoolDir: string;
  health: WriteHealth;
  log: Logger;
  /** A call another process (or a spool import) added: drop what the Smart cache knows of its number. */
  onNewCall: (call: NewCall) => void;
  everyMs?: number;
  /** Spooled records imported per round, so one round never holds the database long. */
  importBatch?: number;
}

/**
 * ivr serve's periodic history work, about once a second: notice calls written by per-call
 * processes (their callers' cached Smart decisions are dropped), and import the spool (calls
 * per-call processes could not write, or this server could not). Neither waits on a busy
 * database: it is tried again next round.
 */
export function startHistoryUpkeep(options: HistoryUpkeepOptions): { round(): void; stop(): void } {
  const { history, spoolDir, health, log } = options;
  const watcher = new NewCallsWatcher(history);
  let importFailing = false;

  const round = () => {
    try {
      for (const call of watcher.poll()) options.onNewCall(call);
    } catch (error) {
      if (!isBusyError(error)) log.warn(`reading new calls from the history failed (will retry): ${(error as Error).message}`);
    }
    try {
      const { imported, duplicates, bad } = importSpool(history, spoolDir, { maxFiles: options.importBatch ?? 500 });
      if (imported + duplicates) {
        health.wrote();
        log.info(`imported ${imported} spooled calls from ${spoolDir}${duplicates ? ` (${duplicates} were already stored)` : ""}`);
      }
      if (bad.length) log.error(`spool files that are not call records, set aside as .bad in ${spoolDir}: ${bad.join(", ")}`);
      importFailing = false;
    } catch (error) {
      if (isBusyError(error)) return;
      health.failed(error);
      if (!importFailing) log.error(`importing the spool ${spoolDir} failed (will retry): ${(error as Error).message}`);
      importFailing = true;
    }
  };
  const timer = setInterval(round, options.everyMs ?? 1000);
  timer.unref?.();
  return { round, stop: () => clearInterval(timer) };
}
