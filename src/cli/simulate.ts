import { runHandler } from "../agi/handler.ts";
import { AgiSession } from "../agi/session.ts";
import { PRESS_SYNTAX, SIMULATED_RESULTS, type SimulatedResult, SimulatedAsterisk, simulatedEnv } from "../agi/simulator.ts";
import { loadConfigFile } from "../config/load.ts";
import { menuFor } from "../config/menu.ts";
import { describeCall, ivrHandler } from "../ivr/handler.ts";
import type { IvrCall } from "../ivr/run.ts";
import { createLogger } from "../log.ts";
import { parseFlags, UsageError } from "./args.ts";
import { locateConfig, orCommandFailure } from "./load-config.ts";

/**
 * `ivr simulate`: the test call. Runs the real IVR over a simulated channel that answers
 * like Asterisk 22, and prints the AGI conversation and the outcome. Nothing is dialed.
 */
export async function runSimulate(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    config: { type: "string" },
    did: { type: "string" },
    caller: { type: "string" },
    press: { type: "string" },
    result: { type: "string" },
    verbose: { type: "boolean", short: "v" },
  });
  if (!values.did) throw new UsageError("--did is required: the number the caller dialed");
  const press = values.press ?? "";
  if (!PRESS_SYNTAX.test(press)) throw new UsageError(`--press takes keys 0-9 * #, "," to let a timeout pass and "h" to hang up, not "${press}"`);
  const result = (values.result ?? "answer") as SimulatedResult;
  if (!SIMULATED_RESULTS.includes(result)) throw new UsageError(`--result takes ${SIMULATED_RESULTS.join(", ")}, not "${values.result}"`);

  const location = locateConfig(values.config);
  const { config } = orCommandFailure(() => loadConfigFile(location.path));
  const log = createLogger({ level: values.verbose ? "info" : "warn" });
  const simulation = { did: values.did, caller: values.caller ?? "+66812345678", press, result };

  let session!: AgiSession;
  const asterisk = new SimulatedAsterisk(simulation, (text) => session.receive(text));
  session = new AgiSession(asterisk);
  session.receive(simulatedEnv(simulation, `${(Date.now() / 1000).toFixed(0)}.1`));
  let call: IvrCall | undefined;
  const handler = ivrHandler(() => ({ config, path: location.path }), (finished) => void (call = finished), undefined, { clock: asterisk.clock });
  const outcome = await runHandler(session, () => handler, log);

  const { source } = menuFor(config, simulation.did);
  const header = `Simulated call to ${simulation.did} from ${simulation.caller}: menu ${source === "did" ? `dids.${simulation.did}` : "default"} of ${location.path}, keys "${press}", ${result}`;
  process.stdout.write(`${header}\n\n${asterisk.conversation.join("\n")}\n\n`);
  process.stdout.write(call ? `${describeCall(call).replace(/^Call finished/, "Outcome")}\n` : "Outcome: the IVR failed (see the errors above)\n");
  return outcome === "error" ? 1 : 0;
}
