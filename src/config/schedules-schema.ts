import { z } from "zod";
import type { Interval, ScheduleSettings } from "../schedules/types.ts";
import { WEEKDAYS } from "../schedules/types.ts";
import { canonicalZone, zoneTable } from "../schedules/zone.ts";

/**
 * `schedules:`: named business hours. Each has a timezone (IANA), weekly hours, holidays and
 * exceptions, validated with positions, and becomes the plain data the evaluation reads
 * (src/schedules/types.ts), with the zone's offsets for the years around now.
 *
 *   office:
 *     timezone: Europe/Berlin
 *     hours:
 *       mon-fri: ["09:00-13:00", "14:00-18:00"]
 *       sat: "10:00-14:00"
 *     holidays: ["12-25", "2026-04-03"]      # MM-DD every year, YYYY-MM-DD once
 *     exceptions:
 *       "12-31": ["09:00-14:00"]             # other hours that day
 *       "2026-12-24": closed
 */

/** Years of zone offsets kept with the config: from last year to six years ahead. */
const ZONE_YEARS_BEFORE = 1;
const ZONE_YEARS_AFTER = 6;

/** Names a dialplan context (ivr-schedule-<name>) and a URL (/api/schedules/<name>). */
export const scheduleName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "a schedule name is letters, digits, _ and - (e.g. office)");

const DAY_INDEX = new Map<string, number>(WEEKDAYS.map((day, i) => [day, i]));

/** "mon-fri", "sat", "mon,wed,fri", "fri-mon" (a range wraps round the week): the days it names, Monday = 0. */
export function parseDays(text: string): number[] | undefined {
  const days = new Set<number>();
  for (const part of text.toLowerCase().split(",")) {
    const [first, last, extra] = part.trim().split("-").map((s) => s.trim());
    const from = DAY_INDEX.get(first ?? "");
    const to = last === undefined ? from : DAY_INDEX.get(last);
    if (from === undefined || to === undefined || extra !== undefined) return undefined;
    for (let day = from; ; day = (day + 1) % 7) {
      days.add(day);
      if (day === to) break;
    }
  }
  return [...days].sort((a, b) => a - b);
}

const daysKey = z.string().refine((key) => parseDays(key) !== undefined, "a day is mon, tue, wed, thu, fri, sat or sun; a range mon-fri; a list mon,wed,fri");

/** "HH:MM" -> minutes; "24:00" only as an end. */
function minutes(text: string, end: boolean): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && (value < 1440 || (end && value === 1440)) ? value : undefined;
}

/** "09:00-18:00"; an end before the start runs past midnight ("22:00-02:00" ends at 02:00 the next day). */
export function parseInterval(text: string): Interval | string {
  const [from, to, extra] = text.split("-");
  const start = from === undefined ? undefined : minutes(from, false);
  const end = to === undefined ? undefined : minutes(to, true);
  if (start === undefined || end === undefined || extra !== undefined) return `"${text}" is not a time range such as 09:00-18:00 (24-hour clock, 24:00 for midnight at the end)`;
  if (start === end) return `"${text}" is empty: start and end are the same time (00:00-24:00 is the whole day)`;
  return [start, end > start ? end : end + 1440];
}

/** Hours of a day: a list of ranges, one range, or "closed" / []. Overlaps are merged. */
const dayHours = z.unknown().transform((value, ctx): Interval[] => {
  const items = typeof value === "string" ? (value.trim().toLowerCase() === "closed" ? [] : [value]) : value;
  if (!Array.isArray(items)) {
    ctx.addIssue({ code: "custom", message: 'must be a list of time ranges such as ["09:00-18:00"], one range, or closed' });
    return z.NEVER;
  }
  const intervals: Interval[] = [];
  items.forEach((item, i) => {
    const parsed = typeof item === "string" ? parseInterval(item) : "must be a time range such as 09:00-18:00";
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed, path: typeof value === "string" ? [] : [i] });
    else intervals.push(parsed);
  });
  return merge(intervals);
});

function merge(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = out.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/** "12-25" (every year) or "2026-12-25" (once); the date must exist (02-29 only yearly or in a leap year). */
export const dateKey = z.string().refine((text) => {
  const m = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const year = m[1] === undefined ? 2000 : Number(m[1]); // 2000: a leap year, so 02-29 is a valid yearly date
  const date = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3])));
  return date.getUTCFullYear() === year && date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]);
}, "a date is MM-DD (every year, e.g. 12-25) or YYYY-MM-DD (once, e.g. 2026-12-24)");

const timezone = z.string().transform((name, ctx) => {
  const canonical = canonicalZone(name.trim());
  if (!canonical) {
    ctx.addIssue({ code: "custom", message: `unknown time zone "${name}": an IANA name such as Europe/Berlin, Asia/Bangkok or UTC` });
    return z.NEVER;
  }
  return canonical;
});

const scheduleSchema = z
  .strictObject({
    timezone,
    hours: z.record(daysKey, dayHours).optional(),
    holidays: z.array(dateKey).optional(),
    exceptions: z.record(dateKey, dayHours).optional(),
  })
  .superRefine((schedule, ctx) => {
    const seen = new Map<number, string>();
    for (const key of Object.keys(schedule.hours ?? {})) {
      for (const day of parseDays(key) ?? []) {
        const other = seen.get(day);
        if (other !== undefined) ctx.addIssue({ code: "custom", path: ["hours", key], message: `${WEEKDAYS[day]} is also in "${other}": give each day once` });
        else seen.set(day, key);
      }
    }
    for (const date of Object.keys(schedule.exceptions ?? {})) {
      if (schedule.holidays?.includes(date)) ctx.addIssue({ code: "custom", path: ["exceptions", date], message: `${date} is also a holiday: give a date one or the other` });
    }
  })
  .transform((schedule): ScheduleSettings => {
    const week: Interval[][] = WEEKDAYS.map(() => []);
    for (const [key, intervals] of Object.entries(schedule.hours ?? {})) for (const day of parseDays(key) ?? []) week[day] = intervals;
    const year = new Date().getUTCFullYear();
    return {
      timezone: schedule.timezone,
      week,
      holidays: [...new Set(schedule.holidays ?? [])],
      exceptions: schedule.exceptions ?? {},
      zone: zoneTable(schedule.timezone, year - ZONE_YEARS_BEFORE, year + ZONE_YEARS_AFTER),
    };
  });

export const schedulesSchema = z.record(scheduleName, scheduleSchema);

export type SchedulesSettings = z.infer<typeof schedulesSchema>;
