import { existsSync } from "node:fs";
import type { LoadedConfig } from "../config/schema.ts";
import { openHistoryReadOnly, PER_CALL_BUSY_TIMEOUT_MS } from "../history/db.ts";
import type { NewDecisionRow } from "../history/schema.ts";
import type { SmartRouter } from "../ivr/smart-route.ts";
import type { Logger } from "../log.ts";
import type { HoursSource } from "../schedules/hours.ts";
import { DecisionLog, decisionLogFile } from "./decision-log.ts";
import { historySources } from "./history-sources.ts";
import { SmartService } from "./service.ts";

/**
 * Smart Redirect for the IVR in a per-call process: the history is opened only when a DID
 * with `smart:` is called, read for the decision, and closed again. The caller waits for
 * this, so nothing here writes or migrates (the history is opened read-only; reads do not
 * wait for writers in WAL mode): the decision's row goes to `keepRow` and is stored with the
 * call record after the session, or spooled with it. Any failure (no history yet) means no
 * routing (the normal menu), logged.
 */
export function perCallSmartRouter(loaded: LoadedConfig, dbPath: string, log: Logger, keepRow: (row: NewDecisionRow) => void, hours?: HoursSource): SmartRouter {
  return async (enterprise, request, uniqueid) => {
    if (!existsSync(dbPath)) return { name: null, dialPlan: null, outcome: "no_match", reason: `no call history yet (${dbPath})` };
    let history: ReturnType<typeof openHistoryReadOnly> | undefined;
    try {
      history = openHistoryReadOnly(dbPath, { busyTimeoutMs: PER_CALL_BUSY_TIMEOUT_MS });
      const service = new SmartService({
        snapshot: () => ({ config: loaded.config, generation: 1 }),
        sources: historySources(history),
        decisionLog: new DecisionLog(keepRow, () => decisionLogFile(loaded.config, loaded.path, dbPath), log),
        log,
        hours,
      });
      return await service.decideFor(enterprise, request, uniqueid);
    } catch (error) {
      log.error(`smart: no decision (${(error as Error).message}); the menu`);
      return { name: null, dialPlan: null, outcome: "error", reason: (error as Error).message };
    } finally {
      history?.close();
    }
  };
}
