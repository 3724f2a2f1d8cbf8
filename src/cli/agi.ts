import { runStdioSession } from "../agi/stdio.ts";
import { configForCall } from "../config/per-call.ts";
import type { LoadedConfig } from "../config/schema.ts";
import { databasePath } from "../history/location.ts";
import type { NewDecisionRow } from "../history/schema.ts";
import { ivrHandler } from "../ivr/handler.ts";
import { createLogger, type Logger } from "../log.ts";
import { configHours } from "../schedules/hours.ts";
import type { Override } from "../schedules/overrides.ts";
import { parseFlags } from "./args.ts";

/**
 * `ivr` / `ivr agi`: one call over stdin/stdout. This is the per-call path (a process per
 * call): it imports the AGI core and the IVR; the config parser only when the config file
 * changed, and the history (drizzle, libphonenumber) only after Asterisk has the channel back.
 * Asterisk waits for this process to exit before the dialplan goes on (res_agi waitpid),
 * even after stdout is closed, so the work after the session is bounded (see recordCallOnce).
 */
export async function runAgi(args: string[], startedByAsterisk = false): Promise<number> {
  // Started by Asterisk, every argument is an AGI argument (the IVR reads them from the
  // environment); typed by hand, `ivr agi --config FILE --db FILE` is allowed.
  const flags = startedByAsterisk ? {} : parseFlags(args, { config: { type: "string" }, db: { type: "string" } }, true).values;
  const log = createLogger();
  if (process.stdin.isTTY) {
    log.warn("reading an AGI environment from the terminal; Asterisk runs this with AGI() (see ivr --help)");
  }
  const dbPath = (loaded: LoadedConfig) => databasePath(flags.db, loaded.config.database, loaded.path);
  // Smart Redirect decisions made during the call, written with its record afterwards.
  const decisions: NewDecisionRow[] = [];
  // Schedules with the overrides ivr serve stored in the history (read once, only if a schedule is asked about).
  let overrides: ((schedule: string) => Override | undefined) | undefined;
  const hoursFor = (loaded: LoadedConfig, callLog: Logger) =>
    configHours(loaded.config, async (name) => {
      overrides ??= (await import("../schedules/override-reader.ts")).historyOverrides(dbPath(loaded), callLog);
      return overrides(name);
    });
  const handler = ivrHandler(
    (callLog) => configForCall(flags.config, callLog),
    async (call, loaded, callLog) => {
      const [{ recordCallOnce }, { ivrCallRow }] = await Promise.all([import("../history/sinks.ts"), import("../history/record.ts")]);
      recordCallOnce({ call: ivrCallRow(call, loaded.config), decisions }, dbPath(loaded), callLog, loaded.config.database?.retention_days);
    },
    // Loaded only when a DID with smart: is called.
    (loaded, callLog) => async (enterprise, request, uniqueid) => {
      const { perCallSmartRouter } = await import("../smart/per-call.ts");
      return perCallSmartRouter(loaded, dbPath(loaded), callLog, (row) => decisions.push(row), hoursFor(loaded, callLog))(enterprise, request, uniqueid);
    },
    { hours: hoursFor },
  );
  const outcome = await runStdioSession(handler, log);
  return outcome === "error" ? 1 : 0;
}
