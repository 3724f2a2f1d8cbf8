import type { IvrConfig } from "../config/schema.ts";
import { isBusyError } from "../history/db.ts";
import { RateLimiter } from "../http/rate-limit.ts";
import type { Dialer } from "./dialer.ts";
import type { DoNotCall } from "./dnc.ts";
import { type BusinessHours, openAt } from "./hours.ts";
import { trunkKey } from "./limits.ts";
import { type Caller, readOriginateRequest } from "./request.ts";
import { DEFAULTS, type Outbound } from "./settings.ts";
import type { NewDial } from "./store.ts";
import type { Dial } from "./types.ts";

export type PlaceRefusal = { status: 400 | 403 | 409 | 429 | 503; error: string; reason: string; retryAfter?: number };
export type Placed = { dial: Dial } | PlaceRefusal;

export const OUTBOUND_OFF = "outbound calls are off: add an outbound: section (and an ami: section) to the config";

export interface PlaceDeps {
  config: () => IvrConfig;
  settings: () => Outbound | undefined;
  hours: BusinessHours;
  dnc: DoNotCall;
  dialer: Dialer;
  clock: () => number;
}

/**
 * A request for one call, from whoever asks (POST /api/originate, the operator page, a CRM's
 * click-to-call): read and checked (readOriginateRequest), its schedule's opening, the
 * do-not-call list, the trunk's limits, then queued. One limiter for every way in, so a
 * trunk's calls_per_second holds whoever asks.
 */
export function dialPlacer(deps: PlaceDeps): (body: unknown, caller: Caller) => Placed {
  const rates = new RateLimiter();
  return (body, caller) => {
    const settings = deps.settings();
    if (!settings) return { status: 503, error: OUTBOUND_OFF, reason: "outbound_off" };
    const now = deps.clock();
    const read = readOriginateRequest(body, settings, deps.config(), caller, now);
    if ("error" in read) return read;
    const { dial } = read;
    // A callback asked for at night waits for the opening: said in the answer.
    const opening = openAt(deps.hours, dial.schedule, dial.notBefore);
    if (opening === undefined) return { status: 409, error: `schedule ${dial.schedule} never opens again`, reason: "schedule" };
    dial.notBefore = opening;
    if (deps.dnc.blocks(dial.number)) return { status: 409, error: `${dial.number} is on the do-not-call list`, reason: "do_not_call" };
    const over = overLimit(settings, deps.dialer, dial, now, rates);
    if (over) return { status: 429, error: over, reason: "limit", retryAfter: 1 };
    try {
      return { dial: deps.dialer.enqueue(dial) };
    } catch (error) {
      if (!isBusyError(error)) throw error;
      return { status: 503, error: "the database is busy (another process is writing): nothing was queued, try again", reason: "busy", retryAfter: 1 };
    }
  };
}

/**
 * Over a trunk's limits, a dial asked for now is refused (429), never queued behind the
 * others: calls in progress or waiting on the trunk at max_concurrent, or more than
 * calls_per_second requests. A dial for later (not_before, a closed schedule) waits instead.
 */
function overLimit(settings: Outbound, dialer: Dialer, dial: NewDial, now: number, rates: RateLimiter): string | undefined {
  if (dial.notBefore > now) return undefined;
  const trunk = settings.trunk(dial.trunk);
  if (!trunk) return undefined;
  const max = trunk.max_concurrent ?? DEFAULTS.trunkMaxConcurrent;
  const load = dialer.limits.load(dial.trunk);
  if (load >= max) return `trunk ${dial.trunk} has ${load} calls in progress or waiting (max_concurrent ${max}): try again later`;
  const perSecond = trunk.calls_per_second ?? DEFAULTS.trunkCallsPerSecond;
  if (!rates.allow(trunkKey(dial.trunk), perSecond, Math.max(1, perSecond))) return `trunk ${dial.trunk} takes ${perSecond} calls per second (calls_per_second): try again in a moment`;
  return undefined;
}
