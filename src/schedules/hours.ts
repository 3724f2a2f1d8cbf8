import type { IvrConfig } from "../config/schema.ts";
import { effectiveOpenAt, type Override } from "./overrides.ts";
import type { Hours } from "./types.ts";

/**
 * Whether a named schedule is open at an instant (ms), with its override if any; undefined
 * for a schedule the config does not have. The IVR and Smart Redirect ask it: ivr serve
 * answers from its registry (service.ts), a per-call process from the config and the
 * overrides table (override-reader.ts), ivr simulate from the config alone.
 */
export type HoursSource = (schedule: string, at: number) => Hours | undefined | Promise<Hours | undefined>;

/** Hours from the config, with overrides from `overrideOf` (none when omitted). */
export function configHours(config: IvrConfig, overrideOf?: (schedule: string) => Override | undefined | Promise<Override | undefined>): HoursSource {
  const schedules = config.schedules ?? {};
  return async (name, at) => {
    const schedule = Object.hasOwn(schedules, name) ? schedules[name] : undefined;
    if (!schedule) return undefined;
    return effectiveOpenAt(schedule, await overrideOf?.(name), at);
  };
}
