import { nextChangeMs, openAt, stateAt, type Instant } from "./schedule.ts";
import type { Hours, ScheduleSettings, ScheduleState } from "./types.ts";

/**
 * Overrides, with the semantics of FreePBX Time Conditions: a temporary override forces the
 * state until the schedule's next scheduled change after it was set (then the schedule
 * rules again); a permanent one until it is cleared. The end of a temporary override is
 * computed from the schedule as configured now, so an edit of the hours moves it too.
 */

export const OVERRIDE_STATES = ["open", "closed"] as const;
export const OVERRIDE_UNTIL = ["next_change", "cleared"] as const;

export interface Override {
  state: (typeof OVERRIDE_STATES)[number];
  until: (typeof OVERRIDE_UNTIL)[number];
  /** When it was set, ms since the epoch. */
  setAt: number;
}

/** The state the schedule and its override give together. */
export interface EffectiveState extends ScheduleState {
  /** What the schedule alone says. */
  scheduled: ScheduleState;
  /** The override in force, with when it ends (null: when cleared, or no scheduled change within the horizon). */
  override: (Override & { endsAt: Date | null }) | null;
}

/** A row as stored, if it is one this version understands (a newer ivr could write others). */
export function overrideFromRow(row: { state: string; until: string; setAt: number }): Override | undefined {
  const { state, until, setAt } = row;
  const known = (OVERRIDE_STATES as readonly string[]).includes(state) && (OVERRIDE_UNTIL as readonly string[]).includes(until) && Number.isFinite(setAt);
  return known ? { state: state as Override["state"], until: until as Override["until"], setAt } : undefined;
}

const ms = (at: Instant) => (typeof at === "number" ? at : at.getTime());

/** When a temporary override stops (ms), or undefined for one that lasts until cleared. */
export function overrideEnd(schedule: ScheduleSettings, override: Override): number | undefined {
  return override.until === "cleared" ? undefined : nextChangeMs(schedule, override.setAt);
}

/** Whether the override still applies at `at`. */
export function overrideActive(schedule: ScheduleSettings, override: Override, at: Instant): boolean {
  if (ms(at) < override.setAt) return false;
  const end = overrideEnd(schedule, override);
  return end === undefined || ms(at) < end;
}

function forcedReason(override: Override, end: number | undefined): string {
  if (override.until === "cleared") return `override: forced ${override.state} until cleared`;
  return `override: forced ${override.state} until the next scheduled change${end === undefined ? " (none ahead)" : ` at ${new Date(end).toISOString()}`}`;
}

/** Open or closed at `at` with the override, without looking for the next change: what a call asks. */
export function effectiveOpenAt(schedule: ScheduleSettings, override: Override | undefined, at: Instant): Hours {
  if (!override || !overrideActive(schedule, override, at)) return openAt(schedule, at);
  return { open: override.state === "open", reason: forcedReason(override, overrideEnd(schedule, override)) };
}

/** The full state at `at`: the schedule's, the override's, and when the result next changes. */
export function effectiveStateAt(schedule: ScheduleSettings, override: Override | undefined, at: Instant): EffectiveState {
  const scheduled = stateAt(schedule, at);
  if (!override || !overrideActive(schedule, override, at)) return { ...scheduled, scheduled, override: null };
  const open = override.state === "open";
  const end = overrideEnd(schedule, override);
  const endsAt = end === undefined ? null : new Date(end);
  let until: Date | null = endsAt;
  if (end !== undefined) {
    // At its end the schedule rules again: if it says the same, the state lasts until its next change.
    const after = stateAt(schedule, end);
    if (after.open === open) until = after.until;
  }
  return { open, reason: forcedReason(override, end), until, scheduled, override: { ...override, endsAt } };
}

/** The first instant from `at` on at which the schedule, with its override, is open; null when not ahead. */
export function effectiveNextOpening(schedule: ScheduleSettings, override: Override | undefined, at: Instant): Date | null {
  const state = effectiveStateAt(schedule, override, at);
  return state.open ? new Date(ms(at)) : state.until;
}
