import type { LoadedConfig } from "../config/schema.ts";
import { openHistory } from "../history/db.ts";
import { insertDecision } from "../history/record.ts";
import type { SmartRouter } from "../ivr/smart-route.ts";
import type { Logger } from "../log.ts";
import { DecisionLog, decisionLogFile } from "./decision-log.ts";
import { historySources } from "./history-sources.ts";
import { SmartService } from "./service.ts";

/**
 * Smart Redirect for the IVR in a per-call process: the history is opened only when a DID
 * with `smart:` is called, read for the decision, the decision written, and closed again.
 * Any failure means no routing (the normal menu), logged.
 */
export function perCallSmartRouter(loaded: LoadedConfig, dbPath: string, log: Logger): SmartRouter {
  return async (enterprise, request, uniqueid) => {
    let history: ReturnType<typeof openHistory> | undefined;
    try {
      history = openHistory(dbPath);
      const open = history;
      const service = new SmartService({
        snapshot: () => ({ config: loaded.config, generation: 1 }),
        sources: historySources(open),
        decisionLog: new DecisionLog((row) => insertDecision(open, row), () => decisionLogFile(loaded.config, loaded.path, dbPath), log),
        log,
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
