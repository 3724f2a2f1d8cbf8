#!/usr/bin/env bun
/**
 * The `ivr` command. Asterisk starts it once per call, so this file imports nothing but the
 * logger and the per-call AGI path (cli/agi.ts), statically: a dynamic import would load it
 * as a second chunk at every call's start (measured: about 0.7 ms before the first command).
 * The command line (cli/commands.ts: argument parsing, the help, every other command) is
 * loaded only when asked for. Each import here is paid by every call (node:util alone costs
 * a call about 1 ms).
 */
import { runAgi } from "./cli/agi.ts";
import { createLogger, flushLogs } from "./log.ts";

async function main(argv: string[]): Promise<number> {
  // Started by Asterisk's AGI() (res_agi sets AST_AGI_DIR): every argument is an AGI
  // argument, e.g. the DID in AGI(ivr,0212345678), never a command.
  if (process.env.AST_AGI_DIR !== undefined) return runAgi(argv, true);
  return (await import("./cli/commands.ts")).runCommand(argv);
}

const log = createLogger();
// A stray rejection must not take down a daemon serving hundreds of calls.
process.on("unhandledRejection", (reason) => log.error(`unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}`));

// Log lines a full stderr could not take yet are retried: give them a moment, never more (it may be blocked).
const exit = (code: number) => flushLogs().then(() => process.exit(code));

main(process.argv.slice(2)).then(exit, (error) => {
  log.error(`ivr failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return exit(1);
});
