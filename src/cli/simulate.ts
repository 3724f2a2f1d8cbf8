import { runHandler } from "../agi/handler.ts";
import { AgiSession } from "../agi/session.ts";
import { describeEffect } from "../agi/simulated-results.ts";
import { PRESS_SYNTAX, SIMULATED_RESULTS, type SimulatedResult, SimulatedAsterisk, type Simulation, simulatedEnv } from "../agi/simulator.ts";
import { loadConfigFile } from "../config/load.ts";
import { menuFor } from "../config/menu.ts";
import { describeCall, ivrHandler } from "../ivr/handler.ts";
import type { IvrCall } from "../ivr/run.ts";
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
    campaign: { type: "string" },
    verbose: { type: "boolean", short: "v" },
  });
  if (!values.did && values.campaign === undefined) throw new UsageError("--did is required: the number the caller dialed (or --campaign NAME for a campaign's menu)");
  const press = values.press ?? "";
  if (!PRESS_SYNTAX.test(press)) throw new UsageError(`--press takes keys 0-9 * #, "," to let a timeout pass and "h" to hang up, not "${press}"`);
  const result = (values.result ?? "answer") as SimulatedResult;
  if (!SIMULATED_RESULTS.includes(result)) throw new UsageError(`--result takes ${SIMULATED_RESULTS.join(", ")}, not "${values.result}"`);
  const simulation: Simulation = { did: values.did ?? "s", caller: values.caller ?? "+66812345678", press, result };
  const keys = `keys "${press}", ${result}`;

  if (values.fastagi !== undefined && values.campaign !== undefined) throw new UsageError("--campaign runs the menu in this command: it does not take --fastagi");
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
  if (values.campaign !== undefined) {
    if (values.did !== undefined) throw new UsageError("--did and --campaign exclude each other: a campaign's call is outbound");
    const { simulateCampaign } = await import("./simulate-campaign.ts");
    return simulateCampaign(config, location.path, values.campaign, simulation, values.verbose ?? false);
  }
  const log = createLogger({ level: values.verbose ? "info" : "warn" });
  let session!: AgiSession;
  const asterisk = new SimulatedAsterisk(simulation, (text) => session.receive(text));
  session = new AgiSession(asterisk);
  session.receive(simulatedEnv(simulation, `${(Date.now() / 1000).toFixed(0)}.1`));
  let call: IvrCall | undefined;
  const handler = ivrHandler(() => ({ config, path: location.path }), (finished) => void (call = finished), undefined, { clock: asterisk.clock });
  const outcome = await runHandler(session, () => handler, log);

  const { source } = menuFor(config, simulation.did);
  report(`Simulated call to ${simulation.did} from ${simulation.caller}: menu ${source === "did" ? `dids.${simulation.did}` : "default"} of ${location.path}, ${keys}`, asterisk, values.result);
  process.stdout.write(call ? `${describeCall(call).replace(/^Call finished/, "Outcome")}\n` : "Outcome: the IVR failed (see the errors above)\n");
  return outcome === "error" ? 1 : 0;
}

/** The header, the conversation, and what the simulation did with --press and --result that the conversation alone does not say. */
function report(header: string, asterisk: SimulatedAsterisk, resultFlag: string | undefined): void {
  const out = [header, "", ...asterisk.conversation, ""];
  const unused = asterisk.unusedKeys;
  if (unused) out.push(`Keys not used: ${unused} (the call ended before the IVR asked for them)`);
  const routed = routedTo(asterisk.conversation);
  if (routed && resultFlag !== undefined) out.push(`--result ${resultFlag} on ${routed.kind} ${routed.name}: ${describeEffect(resultFlag as SimulatedResult, routed.kind)}`);
  process.stdout.write(`${out.join("\n")}\n`);
}

/** The queue or extension the IVR sent the call to, from its EXEC Queue / EXEC Dial command. */
function routedTo(conversation: readonly string[]): { kind: "queue" | "extension"; name: string } | undefined {
  for (const line of conversation) {
    const m = /^> EXEC (Queue|Dial) ([^,\s]+)/.exec(line);
    if (m) return { kind: m[1] === "Queue" ? "queue" : "extension", name: m[2]! };
  }
  return undefined;
}
