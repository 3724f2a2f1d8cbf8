import { runStdioSession } from "../agi/stdio.ts";
import { greeting } from "../ivr/greeting.ts";
import { createLogger } from "../log.ts";

/**
 * `ivr` / `ivr agi`: one call over stdin/stdout. This is the per-call path (a process per
 * call), so it imports only the AGI core and the handler.
 */
export async function runAgi(_args: string[]): Promise<number> {
  const log = createLogger({ level: "info" });
  if (process.stdin.isTTY) {
    log.warn("reading an AGI environment from the terminal; Asterisk runs this with AGI() (see ivr --help)");
  }
  const outcome = await runStdioSession(greeting, log);
  return outcome === "error" ? 1 : 0;
}
