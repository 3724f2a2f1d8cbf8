import { PRESS_SYNTAX, SIMULATED_RESULTS, type SimulatedResult, type SimulatedAsterisk, type Simulation } from "../agi/simulator.ts";
import { loadConfigFile } from "../config/load.ts";
import { menuFor } from "../config/menu.ts";
import { outcomeLine, simulateCall, simulationLines } from "../ivr/simulation.ts";
import { createLogger } from "../log.ts";
import { parseFlags, parseHostPort, UsageError } from "./args.ts";
import { locateConfig, orCommandFailure } from "./load-config.ts";
import { formatAddress, simulateOverFastAgi } from "./simulate-remote.ts";

/**
 * `ivr simulate`: the test call. Runs the real IVR over a simulated channel that answers
 * like Asterisk 22, and prints the AGI conversation and the outcome. Nothing is dialed.
 * With --fastagi the call goes to a running `ivr serve` instead, which records it.
 */
export async function runSimulate(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    config: { type: "string" },
    did: { type: "string" },
    caller: { type: "string" },
    press: { type: "string" },
    result: { type: "string" },
    fastagi: { type: "string" },
    verbose: { type: "boolean", short: "v" },
  });
  if (!values.did) throw new UsageError("--did is required: the number the caller dialed");
  const press = values.press ?? "";
  if (!PRESS_SYNTAX.test(press)) throw new UsageError(`--press takes keys 0-9 * #, "," to let a timeout pass and "h" to hang up, not "${press}"`);
  const result = (values.result ?? "answer") as SimulatedResult;
  if (!SIMULATED_RESULTS.includes(result)) throw new UsageError(`--result takes ${SIMULATED_RESULTS.join(", ")}, not "${values.result}"`);
  const simulation: Simulation = { did: values.did, caller: values.caller ?? "+66812345678", press, result };
  const keys = `keys "${press}", ${result}`;

  if (values.fastagi !== undefined) {
    if (values.config !== undefined) throw new UsageError("--config and --fastagi exclude each other: through FastAGI the server's own config answers");
    const address = parseHostPort(values.fastagi, "127.0.0.1", "--fastagi");
    const asterisk = await simulateOverFastAgi(simulation, address);
    const where = formatAddress(address);
    report(`Simulated call to ${simulation.did} from ${simulation.caller} through the FastAGI server at ${where} (its config), ${keys}`, asterisk, values.result);
    process.stdout.write(
      asterisk.conversation.length
        ? `The server at ${where} ran the IVR and records the call in its history: ivr calls lists it.\n`
        : `The server at ${where} closed the connection without a command: it refused the call (see its log).\n`,
    );
    return asterisk.conversation.length ? 0 : 1;
  }

  const location = locateConfig(values.config);
  const { config } = orCommandFailure(() => loadConfigFile(location.path));
  const log = createLogger({ level: values.verbose ? "info" : "warn" });
  const { asterisk, call, failed } = await simulateCall(config, location.path, simulation, log);
  const { source } = menuFor(config, simulation.did);
  report(`Simulated call to ${simulation.did} from ${simulation.caller}: menu ${source === "did" ? `dids.${simulation.did}` : "default"} of ${location.path}, ${keys}`, asterisk, values.result);
  process.stdout.write(`${outcomeLine(call)}\n`);
  return failed ? 1 : 0;
}

/** The header, the conversation, and what the simulation did with --press and --result that the conversation alone does not say. */
function report(header: string, asterisk: SimulatedAsterisk, resultFlag: string | undefined): void {
  process.stdout.write(`${[header, "", ...simulationLines(asterisk, resultFlag as SimulatedResult | undefined)].join("\n")}\n`);
}
