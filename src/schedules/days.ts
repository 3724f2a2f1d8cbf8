import { formatInterval, type Hours, type Interval, type ScheduleSettings, WEEKDAYS } from "./types.ts";

/**
 * The hours of one local calendar day, days counted from 1970-01-01 (day numbers make the
 * arithmetic plain: no Date in the zone, no Intl). Which rule decides a day, most specific
 * first: a dated exception or holiday ("2026-12-31"), a yearly one ("12-31"), the weekly
 * hours. An interval past midnight runs on into the next morning only when that next day
 * follows the weekly hours: a holiday or an exception decides its whole date.
 */

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;
export const DAY_MINUTES = 1440;

export interface DayRule {
  kind: "hours" | "holiday" | "exception";
  intervals: readonly Interval[];
  /** "mon", "holiday 12-25", "exception 2026-12-31". */
  label: string;
}

/** 1970-01-01 was a Thursday: day 0 is weekday 3, Monday being 0. */
export const weekdayOf = (day: number) => (((day + 3) % 7) + 7) % 7;

/** "2026-12-25" (Date's UTC fields are plain arithmetic: no zone, no Intl). */
export const dateKey = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

interface Lookup {
  holidays: Set<string>;
}
const lookups = new WeakMap<ScheduleSettings, Lookup>();

function lookup(schedule: ScheduleSettings): Lookup {
  let found = lookups.get(schedule);
  if (!found) {
    found = { holidays: new Set(schedule.holidays) };
    lookups.set(schedule, found);
  }
  return found;
}

export function dayRule(schedule: ScheduleSettings, day: number): DayRule {
  const date = dateKey(day);
  const { holidays } = lookup(schedule);
  for (const key of [date, date.slice(5)]) {
    const exception = Object.hasOwn(schedule.exceptions, key) ? schedule.exceptions[key] : undefined;
    if (exception) return { kind: "exception", intervals: exception, label: `exception ${key}` };
    if (holidays.has(key)) return { kind: "holiday", intervals: [], label: `holiday ${key}` };
  }
  return { kind: "hours", intervals: schedule.week[weekdayOf(day)] ?? [], label: WEEKDAYS[weekdayOf(day)]! };
}

/** Whether the schedule is open at `minute` (0-1439, fractions allowed) of local day `day`, and why. */
export function hoursAt(schedule: ScheduleSettings, day: number, minute: number): Hours {
  const rule = dayRule(schedule, day);
  for (const interval of rule.intervals) {
    if (interval[0] <= minute && minute < Math.min(interval[1], DAY_MINUTES)) return { open: true, reason: `${rule.label} ${formatInterval(interval)}` };
  }
  if (rule.kind === "hours") {
    const before = dayRule(schedule, day - 1);
    for (const interval of before.intervals) {
      if (minute < interval[1] - DAY_MINUTES) return { open: true, reason: `${before.label} ${formatInterval(interval)}` };
    }
  }
  return { open: false, reason: closedReason(rule) };
}

function closedReason(rule: DayRule): string {
  const hours = rule.intervals.map(formatInterval).join(", ");
  if (rule.kind === "holiday") return rule.label;
  if (rule.kind === "exception") return hours ? `${rule.label}: outside ${hours}` : `${rule.label}: closed all day`;
  return hours ? `outside hours (${rule.label} ${hours})` : `no hours on ${rule.label}`;
}

/** The minutes of local day `day` at which its state may change, ascending, 0 included. */
export function boundaries(schedule: ScheduleSettings, day: number): number[] {
  const rule = dayRule(schedule, day);
  const minutes = new Set<number>([0]);
  for (const [start, end] of rule.intervals) {
    minutes.add(start);
    if (end < DAY_MINUTES) minutes.add(end);
  }
  if (rule.kind === "hours") {
    for (const [, end] of dayRule(schedule, day - 1).intervals) if (end > DAY_MINUTES) minutes.add(end - DAY_MINUTES);
  }
  return [...minutes].sort((a, b) => a - b);
}
