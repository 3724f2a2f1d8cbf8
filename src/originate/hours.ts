/**
 * Business hours as the dialer needs them: is a schedule open at an instant, and when does
 * it open next. The schedules: section (src/schedules) provides the real answers; until it
 * is wired in, every schedule is open (see alwaysOpen). Times are epoch milliseconds.
 */
export interface BusinessHours {
  isOpen(schedule: string, at: number): boolean;
  /** The next instant at or after `at` when the schedule is open; undefined when it never opens again. */
  nextOpening(schedule: string, at: number): number | undefined;
}

export const alwaysOpen: BusinessHours = {
  isOpen: () => true,
  nextOpening: (_schedule, at) => at,
};

/** When a dial under `schedule` may go: now if open (or no schedule), else the opening (undefined: never). */
export function openAt(hours: BusinessHours, schedule: string | null | undefined, at: number): number | undefined {
  if (!schedule || hours.isOpen(schedule, at)) return at;
  return hours.nextOpening(schedule, at);
}
