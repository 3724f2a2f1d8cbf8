#!/usr/bin/env bun
/**
 * The `ivr` command. Asterisk starts it once per call, so this file only picks the command
 * and loads that command's module: the per-call path must not pay for the daemon's code.
 */
import { CommandFailure, UsageError } from "./cli/args.ts";
import { USAGE } from "./cli/usage.ts";
import { createLogger, flushLogs } from "./log.ts";
import { VERSION } from "./version.ts";

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  agi: async () => (await import("./cli/agi.ts")).runAgi,
  serve: async () => (await import("./cli/serve.ts")).runServe,
  check: async () => (await import("./cli/check.ts")).runCheck,
  simulate: async () => (await import("./cli/simulate.ts")).runSimulate,
  calls: async () => (await import("./cli/calls.ts")).runCalls,
  dialplan: async () => (await import("./cli/dialplan.ts")).runDialplan,
  ami: async () => (await import("./cli/ami.ts")).runAmi,
  webhooks: async () => (await import("./cli/webhooks.ts")).runWebhooks,
  // Internal, not in the help: ivr serve and per-call processes read a config in a child (config/child.ts).
  __config: async () => (await import("./config/child.ts")).runConfigChild,
  version: async () => async () => {
    console.log(`ivr ${VERSION}`);
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  // Started by Asterisk's AGI() (res_agi sets AST_AGI_DIR): every argument is an AGI
  // argument, e.g. the DID in AGI(ivr,0212345678), never a command.
  if (process.env.AST_AGI_DIR !== undefined) return (await import("./cli/agi.ts")).runAgi(argv, true);

  const [first, ...rest] = argv;
  if (first === undefined) return (await COMMANDS.agi!())([]);
  if (first === "--help" || first === "-h" || first === "help") return help(rest[0]);
  if (first === "--version" || first === "-v") return (await COMMANDS.version!())([]);
  const load = COMMANDS[first];
  if (!load) {
    process.stderr.write(`ivr: unknown command "${first}"\n\n${USAGE.overview}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) return help(first);
  try {
    return await (await load())(rest);
  } catch (error) {
    if (error instanceof CommandFailure) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`ivr ${first}: ${error.message}\n\n${USAGE[first] ?? USAGE.overview}`);
    return 2;
  }
}

function help(command: string | undefined): number {
  const text = command === undefined ? USAGE.overview : USAGE[command];
  if (text === undefined) {
    process.stderr.write(`ivr: no help for unknown command "${command}"\n\n${USAGE.overview}`);
    return 2;
  }
  process.stdout.write(text!);
  return 0;
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
