import { runStdioSession } from "../agi/stdio.ts";
import { configForCall } from "../config/per-call.ts";
import { ivrHandler } from "../ivr/handler.ts";
import { createLogger } from "../log.ts";
import { parseFlags } from "./args.ts";

/**
 * `ivr` / `ivr agi`: one call over stdin/stdout. This is the per-call path (a process per
 * call): it imports the AGI core and the IVR, and the config parser only when the config
 * file has changed since the last call.
 */
export async function runAgi(args: string[], startedByAsterisk = false): Promise<number> {
  // Started by Asterisk, every argument is an AGI argument (the IVR reads them from the
  // environment); typed by hand, `ivr agi --config FILE` is allowed.
  const configFlag = startedByAsterisk ? undefined : parseFlags(args, { config: { type: "string" } }, true).values.config;
  const log = createLogger();
  if (process.stdin.isTTY) {
    log.warn("reading an AGI environment from the terminal; Asterisk runs this with AGI() (see ivr --help)");
  }
  const outcome = await runStdioSession(ivrHandler((callLog) => configForCall(configFlag, callLog)), log);
  return outcome === "error" ? 1 : 0;
}
