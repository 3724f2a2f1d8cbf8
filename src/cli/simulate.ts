import { PRESS_SYNTAX, SIMULATED_RESULTS, type SimulatedResult, type SimulatedAsterisk, type Simulation } from "../agi/simulator.ts";
import { loadConfigFile } from "../config/load.ts";
import { menuFor } from "../config/menu.ts";
import type { IvrConfig } from "../config/schema.ts";
import { outcomeLine, simulateCall, simulationLines } from "../ivr/simulation.ts";
import { createLogger } from "../log.ts";
import { configHours } from "../schedules/hours.ts";
import { formatLocal, parseTypedTime, resolveTypedTime, type TypedTime } from "../schedules/local-time.ts";
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
    at: { type: "string" },
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
    if (values.at !== undefined) throw new UsageError("--at and --fastagi exclude each other: through FastAGI the server's own clock answers");
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

  const typedAt = values.at === undefined ? undefined : parseTypedTime(values.at);
  if (values.at !== undefined && !typedAt) throw new UsageError(`--at takes a time such as 2026-12-31T18:05 (in the schedule's zone) or 2026-12-31T17:05Z, not "${values.at}"`);
  const location = locateConfig(values.config);
  const { config } = orCommandFailure(() => loadConfigFile(location.path));
  if (values.campaign !== undefined) {
    if (values.did !== undefined) throw new UsageError("--did and --campaign exclude each other: a campaign's call is outbound");
    const { simulateCampaign } = await import("./simulate-campaign.ts");
    return simulateCampaign(config, location.path, values.campaign, simulation, values.verbose ?? false);
  }
  const moment = typedAt && callMoment(config, simulation.did, typedAt);
  const log = createLogger({ level: values.verbose ? "info" : "warn" });
  const hours = moment && ((name: string) => configHours(config)(name, moment.at));
  const { asterisk, call, failed } = await simulateCall(config, location.path, simulation, log, hours);
  const { source } = menuFor(config, simulation.did);
  const when = moment ? `, at ${moment.text}` : "";
  report(`Simulated call to ${simulation.did} from ${simulation.caller}: menu ${source === "did" ? `dids.${simulation.did}` : "default"} of ${location.path}, ${keys}${when}`, asterisk, values.result);
  process.stdout.write(`${outcomeLine(call)}\n`);
  return failed ? 1 : 0;
}

/**
 * The instant --at names for this call: a time without an offset is read in the zone of the
 * DID's schedule (else UTC). Overrides are not applied: they live in ivr serve and its history.
 */
function callMoment(config: IvrConfig, did: string, typed: TypedTime): { at: number; text: string } {
  const name = menuFor(config, did).menu.schedule;
  const schedule = name === undefined ? undefined : config.schedules?.[name];
  const at = resolveTypedTime(typed, schedule);
  return { at, text: schedule ? `${formatLocal(schedule, at)} (schedule ${name}, ${schedule.timezone})` : new Date(at).toISOString() };
}

/** The header, the conversation, and what the simulation did with --press and --result that the conversation alone does not say. */
function report(header: string, asterisk: SimulatedAsterisk, resultFlag: string | undefined): void {
  process.stdout.write(`${[header, "", ...simulationLines(asterisk, resultFlag as SimulatedResult | undefined)].join("\n")}\n`);
}
