import { clock, type Interval, type ScheduleSettings, WEEKDAYS } from "./types.ts";

/**
 * A schedule as Asterisk 22 dialplan: a Gosub context per schedule that returns "open" or
 * "closed", made of GotoIfTime(<times>,<weekdays>,<mdays>,<months>,<timezone>?label) lines.
 * Facts of GotoIfTime used here (main/pbx_timing.c): a time range includes its last minute
 * (09:00-18:00 is written 09:00-17:59), a range whose end is before its start wraps within
 * the same day, lists are joined with &, the fifth field is the zone the wall clock is read
 * in. The lines are checked in our order of precedence: dated days, yearly days, what runs
 * past midnight into an ordinary day, the weekly hours; the first that matches decides.
 */

type Ranges = Array<[number, number]>;

const DAY = 1440;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

export const scheduleContext = (name: string) => `ivr-schedule-${name}`;

function merged(ranges: Ranges): Ranges {
  const out: Ranges = [];
  for (const [start, end] of [...ranges].filter(([s, e]) => e > s).sort((a, b) => a[0] - b[0])) {
    const last = out.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

const inDay = (intervals: readonly Interval[]): Ranges => merged(intervals.map(([start, end]) => [start, Math.min(end, DAY)]));
const spill = (intervals: readonly Interval[]): Ranges => merged(intervals.filter(([, end]) => end > DAY).map(([, end]) => [0, end - DAY]));

function minus(ranges: Ranges, remove: Ranges): Ranges {
  let out = ranges;
  for (const [rs, re] of remove) out = out.flatMap(([s, e]): Ranges => [[s, Math.min(e, rs)], [Math.max(s, re), e]].filter(([a, b]) => b! > a!) as Ranges);
  return merged(out);
}

/** [[540, 1080]] -> "09:00-17:59"; the whole day -> "*". */
function times(ranges: Ranges): string {
  if (ranges.length === 1 && ranges[0]![0] === 0 && ranges[0]![1] === DAY) return "*";
  return ranges.map(([start, end]) => `${clock(start)}-${clock(end - 1)}`).join("&");
}

/** [0, 1, 2, 3, 4] -> "mon-fri"; [0, 2] -> "mon&wed". */
function weekdays(days: number[]): string {
  const runs: number[][] = [];
  for (const day of days) {
    const run = runs.at(-1);
    if (run && run.at(-1) === day - 1) run.push(day);
    else runs.push([day]);
  }
  return runs.map((run) => (run.length > 1 ? `${WEEKDAYS[run[0]!]}-${WEEKDAYS[run.at(-1)!]}` : WEEKDAYS[run[0]!])).join("&");
}

interface DateKey {
  key: string;
  year: number | undefined;
  month: number;
  day: number;
}

function dateOf(key: string): DateKey {
  const parts = key.split("-").map(Number);
  return parts.length === 3 ? { key, year: parts[0], month: parts[1]!, day: parts[2]! } : { key, year: undefined, month: parts[0]!, day: parts[1]! };
}

/** The day after; undefined for a yearly date whose next day depends on the year (02-28, 02-29). */
function dayAfter(date: DateKey): DateKey | undefined {
  if (date.year === undefined && date.month === 2 && date.day >= 28) return undefined;
  const next = new Date(Date.UTC(date.year ?? 2001, date.month - 1, date.day + 1));
  const year = date.year === undefined ? undefined : next.getUTCFullYear();
  return { key: "", year, month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}

const weekdayOfDate = (date: DateKey) => (new Date(Date.UTC(date.year!, date.month - 1, date.day)).getUTCDay() + 6) % 7;

/** The Gosub context of one schedule. */
export function scheduleDialplan(name: string, schedule: ScheduleSettings): string[] {
  const zone = schedule.timezone;
  const out = [`[${scheduleContext(name)}]`, `exten => s,1,NoOp(schedule ${name}, ${zone})`];
  let guards = 0;
  const line = (comment: string, timesField: string, days: string, date: Pick<DateKey, "year" | "month" | "day"> | undefined, label: "open" | "closed") => {
    out.push(`; ${comment}`);
    const check = `GotoIfTime(${timesField},${days},${date ? date.day : "*"},${date ? MONTHS[date.month - 1] : "*"},${zone}?${label})`;
    if (date?.year === undefined) {
      out.push(` same => n,${check}`);
      return;
    }
    // GotoIfTime has no year: a dated day is skipped in the other years.
    const skip = `y${++guards}`;
    out.push(` same => n,GotoIf($["\${STRFTIME(\${EPOCH},${zone},%Y)}" != "${date.year}"]?${skip})`, ` same => n,${check}`, ` same => n(${skip}),NoOp()`);
  };

  const decided = [
    ...schedule.holidays.map((key) => ({ date: dateOf(key), intervals: [] as readonly Interval[], kind: "holiday" })),
    ...Object.entries(schedule.exceptions).map(([key, intervals]) => ({ date: dateOf(key), intervals, kind: "exception" })),
  ].sort((a, b) => Number(a.date.year === undefined) - Number(b.date.year === undefined) || a.date.key.localeCompare(b.date.key));

  // Holidays and exceptions decide their whole date.
  for (const { date, intervals, kind } of decided) {
    const open = inDay(intervals);
    if (open.length) line(`${kind} ${date.key}: open`, times(open), "*", date, "open");
    line(`${kind} ${date.key}${open.length ? ": the rest of the day" : ""}: closed`, "*", "*", date, "closed");
  }

  // After a holiday or an exception, the next (ordinary) morning gets that day's spill, not the week's.
  const weeklySpill = WEEKDAYS.map((_, day) => spill(schedule.week[day] ?? []));
  const notes: string[] = [];
  for (const { date, intervals, kind } of decided) {
    const next = dayAfter(date);
    const own = spill(intervals);
    if (!next) {
      if (own.length || weeklySpill.some((ranges) => ranges.length)) notes.push(`; not expressible: the night after ${kind} ${date.key} (whether 02-29 exists depends on the year)`);
      continue;
    }
    if (own.length) line(`after ${kind} ${date.key}: its hours past midnight`, times(own), "*", next, "open");
    for (const [day, ranges] of weeklySpill.entries()) {
      if (!ranges.length) continue;
      const nextDay = (day + 1) % 7;
      if (next.year !== undefined && weekdayOfDate(next) !== nextDay) continue;
      const close = minus(ranges, inDay(schedule.week[nextDay] ?? []));
      if (close.length) line(`after ${kind} ${date.key} on a ${WEEKDAYS[day]}: no ${WEEKDAYS[day]} hours past midnight`, times(close), WEEKDAYS[nextDay]!, next, "closed");
    }
  }
  out.push(...notes);

  // The week: each day's own hours and what the day before runs past midnight.
  const byHours = new Map<string, number[]>();
  WEEKDAYS.forEach((_, day) => {
    const open = merged([...inDay(schedule.week[day] ?? []), ...weeklySpill[(day + 6) % 7]!]);
    if (!open.length) return;
    const key = times(open);
    byHours.set(key, [...(byHours.get(key) ?? []), day]);
  });
  for (const [hours, days] of byHours) line(`weekly: ${weekdays(days)}`, hours, weekdays(days), undefined, "open");

  out.push(" same => n(closed),Return(closed)", " same => n(open),Return(open)");
  return out;
}

/** Every schedule's context, with how to use them and what they cannot do. */
export function schedulesDialplan(schedules: Record<string, ScheduleSettings>): string[] {
  const names = Object.keys(schedules);
  const example = names[0] ?? "office";
  const head = [
    "; Schedules as GotoIfTime lines (ivr dialplan --schedules), for a PBX that checks hours in its dialplan.",
    `; Use: same => n,Gosub(${scheduleContext(example)},s,1)`,
    ';      same => n,GotoIf($["${GOSUB_RETVAL}" = "open"]?open:closed)',
    "; Not expressible here, so NOT in these lines: overrides set over ivr serve's API",
    "; (PUT /api/schedules/<name>/override): a temporary one (until the next scheduled change)",
    "; and a permanent one (until cleared) live in ivr serve and its history; the dialplan cannot see them.",
    "; GotoIfTime includes the last minute of a range: 09:00-18:00 is written 09:00-17:59.",
  ];
  return [...head, ...names.flatMap((name) => ["", ...scheduleDialplan(name, schedules[name]!)])];
}
