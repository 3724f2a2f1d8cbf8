import { runHandler } from "../agi/handler.ts";
import { AgiSession } from "../agi/session.ts";
import { describeEffect } from "../agi/simulated-results.ts";
import { SimulatedAsterisk, type SimulatedResult, type Simulation, simulatedEnv } from "../agi/simulator.ts";
import type { IvrConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { HoursSource } from "../schedules/hours.ts";
import { describeCall, ivrHandler } from "./handler.ts";
import type { IvrCall } from "./run.ts";

export interface SimulatedCall {
  asterisk: SimulatedAsterisk;
  /** The finished call, unless the IVR failed. */
  call: IvrCall | undefined;
  failed: boolean;
}

/**
 * The test call in this process: the real IVR with `config` over a channel that answers like
 * Asterisk 22, in simulated time. Nothing is dialed or recorded. `ivr simulate` prints it;
 * the operator page shows it. `hours` answers for schedules (default: the config's, now).
 */
export async function simulateCall(config: IvrConfig, path: string, simulation: Simulation, log: Logger, hours?: HoursSource): Promise<SimulatedCall> {
  let session!: AgiSession;
  const asterisk = new SimulatedAsterisk(simulation, (text) => session.receive(text));
  session = new AgiSession(asterisk);
  session.receive(simulatedEnv(simulation, `${(Date.now() / 1000).toFixed(0)}.1`));
  let call: IvrCall | undefined;
  const handler = ivrHandler(() => ({ config, path }), (finished) => void (call = finished), undefined, { clock: asterisk.clock, hours: hours && (() => hours) });
  const outcome = await runHandler(session, () => handler, log);
  return { asterisk, call, failed: outcome === "error" };
}

/** The conversation, then what the simulation did with the keys and the result that the conversation alone does not say. */
export function simulationLines(asterisk: SimulatedAsterisk, result: SimulatedResult | undefined): string[] {
  const out = [...asterisk.conversation, ""];
  const unused = asterisk.unusedKeys;
  if (unused) out.push(`Keys not used: ${unused} (the call ended before the IVR asked for them)`);
  const routed = routedTo(asterisk.conversation);
  if (routed && result !== undefined) out.push(`--result ${result} on ${routed.kind} ${routed.name}: ${describeEffect(result, routed.kind)}`);
  return out;
}

/** The last line of the report: how the call ended. */
export function outcomeLine(call: IvrCall | undefined): string {
  return call ? describeCall(call).replace(/^Call finished/, "Outcome") : "Outcome: the IVR failed (see the errors above)";
}

/** The queue or extension the IVR sent the call to, from its EXEC Queue / EXEC Dial command. */
function routedTo(conversation: readonly string[]): { kind: "queue" | "extension"; name: string } | undefined {
  for (const line of conversation) {
    const m = /^> EXEC (Queue|Dial) ([^,\s]+)/.exec(line);
    if (m) return { kind: m[1] === "Queue" ? "queue" : "extension", name: m[2]! };
  }
  return undefined;
}
