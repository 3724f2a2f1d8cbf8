import { boundaries, DAY_MS, hoursAt, MINUTE_MS } from "./days.ts";
import type { Hours, ScheduleSettings, ScheduleState } from "./types.ts";
import { type ZoneOffsets, zoneOffsets } from "./zone.ts";

/**
 * A schedule at an instant: pure functions of (schedule, instant), no clock of their own.
 * Hours are wall-clock hours in the schedule's zone, as Asterisk's GotoIfTime reads them:
 * when clocks go forward, a time in the skipped hour is reached at the jump (an opening at
 * 02:30 on the spring change opens at 03:00); when they go back, the repeated hour is lived
 * twice (a closing at 02:30 on the autumn change closes at the first 02:30, and what is open
 * at 02:00-02:30 opens again for the second pass). Changes are looked for up to HORIZON_DAYS
 * ahead: a schedule that does not change within them has `until: null`.
 */

export type Instant = Date | number;
export const HORIZON_DAYS = 800;

const ms = (at: Instant) => (typeof at === "number" ? at : at.getTime());

function offsetsOf(schedule: ScheduleSettings): ZoneOffsets {
  return zoneOffsets(schedule.timezone, schedule.zone);
}

function hoursAtMs(schedule: ScheduleSettings, offsets: ZoneOffsets, at: number): Hours {
  const local = at + offsets.offsetAt(at) * MINUTE_MS;
  const day = Math.floor(local / DAY_MS);
  return hoursAt(schedule, day, (local - day * DAY_MS) / MINUTE_MS);
}

/** Open or closed at `at`, and why; no search for the next change (the cheap question the IVR asks). */
export function openAt(schedule: ScheduleSettings, at: Instant): Hours {
  return hoursAtMs(schedule, offsetsOf(schedule), ms(at));
}

/** Open or closed at `at`, why, and until when. */
export function stateAt(schedule: ScheduleSettings, at: Instant): ScheduleState {
  return { ...openAt(schedule, at), until: nextChange(schedule, at) };
}

/** The next instant after `at` at which the schedule opens or closes; null when not within HORIZON_DAYS. */
export function nextChange(schedule: ScheduleSettings, at: Instant): Date | null {
  const found = nextChangeMs(schedule, ms(at));
  return found === undefined ? null : new Date(found);
}

/** The first instant from `at` on at which the schedule is open: `at` itself when open then. */
export function nextOpening(schedule: ScheduleSettings, at: Instant): Date | null {
  return openAt(schedule, at).open ? new Date(ms(at)) : nextChange(schedule, at);
}

export function nextChangeMs(schedule: ScheduleSettings, at: number): number | undefined {
  const offsets = offsetsOf(schedule);
  const open = hoursAtMs(schedule, offsets, at).open;
  const limit = at + HORIZON_DAYS * DAY_MS;
  // Between two changes of the zone's offset, local time runs with UTC: walk the local
  // boundaries of that stretch; at a change, the wall clock jumps and may land elsewhere.
  let cursor = at;
  while (cursor < limit) {
    const offset = offsets.offsetAt(cursor) * MINUTE_MS;
    const shift = offsets.nextChange(cursor, limit) ?? limit;
    const flip = nextLocalFlip(schedule, cursor + offset, shift + offset, open);
    if (flip !== undefined) return flip - offset;
    if (shift >= limit) return undefined;
    if (hoursAtMs(schedule, offsets, shift).open !== open) return shift;
    cursor = shift;
  }
  return undefined;
}

/** The first local time in (from, to) at which the state is no longer `open`. */
function nextLocalFlip(schedule: ScheduleSettings, from: number, to: number, open: boolean): number | undefined {
  for (let day = Math.floor(from / DAY_MS); day * DAY_MS < to; day++) {
    for (const minute of boundaries(schedule, day)) {
      const local = day * DAY_MS + minute * MINUTE_MS;
      if (local <= from) continue;
      if (local >= to) return undefined;
      if (hoursAt(schedule, day, minute).open !== open) return local;
    }
  }
  return undefined;
}
