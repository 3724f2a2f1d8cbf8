import { runHandler } from "../agi/handler.ts";
import { AgiSession } from "../agi/session.ts";
import { SimulatedAsterisk, type Simulation, simulatedEnv } from "../agi/simulator.ts";
import type { IvrConfig } from "../config/schema.ts";
import { createLogger } from "../log.ts";
import { outboundScript } from "../originate/agi-script.ts";
import { checkNumber } from "../originate/numbers.ts";
import { outboundOf } from "../originate/settings.ts";
import type { Dial } from "../originate/types.ts";
import { CommandFailure } from "./args.ts";

/** The call id the simulated call runs under (a dial id's shape, so the script takes it). */
const SIMULATED_CALL = "osimulated000001";

/**
 * `ivr simulate --campaign NAME`: the campaign's message and menu over a simulated Asterisk,
 * as the customer who answered would hear it, with the keys of --press. Nothing is dialled,
 * recorded, raised or added to the do-not-call list: what would be is printed.
 */
export async function simulateCampaign(config: IvrConfig, configPath: string, name: string, simulation: Simulation, verbose: boolean): Promise<number> {
  const outbound = outboundOf(config);
  const campaign = outbound?.campaign(name);
  if (!outbound || !campaign) throw new CommandFailure(`error: no campaign "${name}" under outbound.campaigns in ${configPath}`);
  const checked = checkNumber(simulation.caller, outbound.numberRules(campaign.enterprise));
  const number = checked.ok ? checked.e164 : simulation.caller;
  const now = Date.now();
  const dial: Dial = {
    seq: 0, id: SIMULATED_CALL, kind: "message", campaign: name, client: "simulate", enterprise: campaign.enterprise ?? null, number, numberRaw: simulation.caller,
    extension: null, queue: null, menu: name, trunk: outbound.campaignTrunk(name), schedule: null, data: null, state: "answered", attempt: 1, callId: SIMULATED_CALL,
    notBefore: now, createdAt: now, updatedAt: now, claimedAt: now, acceptedAt: now, answeredAt: now, endedAt: null, outcome: null, stage: null, detail: null, hint: null, keys: "",
  };
  const effects: string[] = [];
  const log = createLogger({ level: verbose ? "info" : "warn" });
  let session!: AgiSession;
  const asterisk = new SimulatedAsterisk(simulation, (text) => session.receive(text));
  session = new AgiSession(asterisk);
  session.receive(simulatedEnv(simulation, SIMULATED_CALL));
  let keys: string[] = [];
  const handler = outboundScript({
    dialOf: (callId) => (callId === SIMULATED_CALL ? dial : undefined),
    outbound: () => outbound,
    answered: () => {},
    pressed: (_dial, _callId, key, action) => effects.push(`key ${key === "" ? "(none)" : key}: ${action}`),
    event: (_dial, event) => effects.push(`would raise the event ${event} (campaign.action)`),
    optOut: () => effects.push(`would add ${number} to the do-not-call list`),
    finished: (_dial, _callId, pressed) => void (keys = pressed),
    record: () => {},
    clock: asterisk.clock,
  });
  const outcome = await runHandler(session, () => handler, log);
  const out = [`Simulated answer of a call from campaign ${name} (${configPath}) by ${number}, keys "${simulation.press}", ${simulation.result}`, "", ...asterisk.conversation, ""];
  if (asterisk.unusedKeys) out.push(`Keys not used: ${asterisk.unusedKeys} (the call ended before the menu asked for them)`);
  out.push(...effects, `Keys recorded with the call: ${JSON.stringify(keys)}`);
  process.stdout.write(`${out.join("\n")}\n`);
  return outcome === "error" ? 1 : 0;
}
