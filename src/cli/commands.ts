import { VERSION } from "../version.ts";
import { CommandFailure, UsageError } from "./args.ts";
import { USAGE } from "./usage.ts";

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  agi: async () => (await import("./agi.ts")).runAgi,
  serve: async () => (await import("./serve.ts")).runServe,
  check: async () => (await import("./check.ts")).runCheck,
  simulate: async () => (await import("./simulate.ts")).runSimulate,
  calls: async () => (await import("./calls.ts")).runCalls,
  dialplan: async () => (await import("./dialplan.ts")).runDialplan,
  ami: async () => (await import("./ami.ts")).runAmi,
  webhooks: async () => (await import("./webhooks.ts")).runWebhooks,
  // Internal, not in the help: ivr serve and per-call processes read a config in a child (config/child.ts).
  __config: async () => (await import("../config/child.ts")).runConfigChild,
  version: async () => async () => {
    console.log(`ivr ${VERSION}`);
    return 0;
  },
};

/** `ivr COMMAND ...` typed by a person or a script (not started by Asterisk): the command, its usage errors, the help. */
export async function runCommand(argv: string[]): Promise<number> {
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
