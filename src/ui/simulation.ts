import { PRESS_SYNTAX, SIMULATED_RESULTS, type SimulatedResult, type Simulation } from "../agi/simulator.ts";
import { menuFor } from "../config/menu.ts";
import type { ConfigSnapshot } from "../config/store.ts";
import { outcomeLine, simulateCall, simulationLines } from "../ivr/simulation.ts";
import { createLogger } from "../log.ts";

/** A simulated call takes a few milliseconds; a handful at once is plenty for people clicking. */
const MAX_RUNNING = 4;
const TIMEOUT_MS = 10_000;
let running = 0;

export interface SimulationInput {
  did: string;
  caller: string;
  press: string;
  result: string;
}

export interface SimulationReport {
  /** `Simulated call to ... : menu dids.X of FILE, keys "1", answer` */
  header: string;
  /** `> command`, `< reply`, `# note` lines, then notes on unused keys and the result. */
  lines: string[];
  outcome: string;
  /** What the IVR logged as warnings and errors during the call. */
  log: string[];
  failed: boolean;
}

/** Why the input cannot be simulated, or the simulation it describes. */
export function readSimulation(input: Partial<Record<keyof SimulationInput, unknown>>): Simulation | { error: string } {
  const text = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value).trim() : "");
  const did = text(input.did);
  const caller = text(input.caller) || "+66812345678";
  const press = text(input.press);
  const result = text(input.result) || "answer";
  if (!/^[\w+*#.-]{1,40}$/.test(did)) return { error: "did is required: the number the caller dialed (digits, letters, + * # _ . -, at most 40)" };
  if (!/^[\w+*#.-]{1,32}$/.test(caller)) return { error: "caller: a number of at most 32 characters (digits, letters, + * # _ . -)" };
  if (press.length > 64 || !PRESS_SYNTAX.test(press)) return { error: 'press takes at most 64 of the keys 0-9 * #, "," to let a timeout pass and "h" to hang up' };
  if (!(SIMULATED_RESULTS as readonly string[]).includes(result)) return { error: `result is one of ${SIMULATED_RESULTS.join(", ")}` };
  return { did, caller, press, result: result as SimulatedResult };
}

/**
 * What `ivr simulate` prints, run in this process with the config in force: the real IVR
 * over a simulated channel, in simulated time. Nothing is dialed or recorded.
 */
export async function runSimulation(snapshot: ConfigSnapshot, simulation: Simulation): Promise<SimulationReport | { busy: true }> {
  if (running >= MAX_RUNNING) return { busy: true };
  running++;
  const log: string[] = [];
  const logger = createLogger({ level: "warn", write: (line) => log.push(line.trimEnd()) });
  try {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the simulated call did not end within ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS)));
    const done = await Promise.race([simulateCall(snapshot.config, snapshot.path, simulation, logger), timeout]).finally(() => clearTimeout(timer));
    const { source } = menuFor(snapshot.config, simulation.did);
    return {
      header: `Simulated call to ${simulation.did} from ${simulation.caller}: menu ${source === "did" ? `dids.${simulation.did}` : "default"} of ${snapshot.path} (generation ${snapshot.generation}), keys "${simulation.press}", ${simulation.result}`,
      lines: simulationLines(done.asterisk, simulation.result),
      outcome: outcomeLine(done.call),
      log,
      failed: done.failed,
    };
  } finally {
    running--;
  }
}
