/**
 * Business hours as the dialer needs them: is a schedule open at an instant, and when does
 * it open next. ivr serve answers from the schedules: section with its API overrides
 * (scheduleHours); alwaysOpen is for a dialer built without schedules (tests, tools).
 * Times are epoch milliseconds.
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

/** What the schedules of ivr serve (ScheduleService) answer: undefined for a schedule the config does not have. */
export interface ScheduleAnswers {
  isOpen(schedule: string, at: number): boolean | undefined;
  nextOpening(schedule: string, at: number): Date | null | undefined;
  override(schedule: string, at: number): { until: string } | undefined;
}

/** A schedule forced closed until cleared has no opening ahead that anyone knows: asked again this much later. */
export const FORCED_CLOSED_RECHECK_MS = 60_000;

/**
 * The schedules: section, overrides included, as business hours. A schedule forced closed
 * until cleared keeps its calls waiting (looked at again every minute), not refused. A
 * schedule the config does not have (removed by a reload) is closed for good: its calls are
 * refused, never dialled outside hours nobody can read (outboundProblems refuses such a
 * config at start).
 */
export function scheduleHours(schedules: ScheduleAnswers): BusinessHours {
  return {
    isOpen: (schedule, at) => schedules.isOpen(schedule, at) === true,
    nextOpening: (schedule, at) => {
      const opening = schedules.nextOpening(schedule, at);
      if (opening) return opening.getTime();
      if (opening === null && schedules.override(schedule, at)?.until === "cleared") return at + FORCED_CLOSED_RECHECK_MS;
      return undefined;
    },
  };
}
