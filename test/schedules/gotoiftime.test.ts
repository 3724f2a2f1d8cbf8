import { describe, expect, test } from "bun:test";
import { scheduleDialplan, schedulesDialplan } from "../../src/schedules/gotoiftime.ts";
import { openAt } from "../../src/schedules/schedule.ts";
import type { ScheduleSettings } from "../../src/schedules/types.ts";
import { checkExtensionsConf } from "../../src/smart/dialplan-check.ts";
import { at, schedule } from "../helpers/schedules.ts";

/**
 * Runs a generated Gosub context as Asterisk would (main/pbx_timing.c: ast_build_timing and
 * ast_check_timing2), reading the wall clock with Intl, independently of src/schedules.
 */
function runContext(lines: string[], instant: number): string {
  const steps = lines.filter((line) => /^\s*(exten|same) =>/.test(line)).map((line) => /(?:=> |,)(?:n|1)(?:\((\w+)\))?,(\w+)\((.*)\)$/.exec(line)!);
  const labels = new Map(steps.map((step, i) => [step[1], i]));
  for (let i = 0; i < steps.length; i++) {
    const [, , app, args] = steps[i]!;
    if (app === "Return") return args!;
    if (app === "GotoIf") {
      const m = /^\$\["\$\{STRFTIME\(\$\{EPOCH\},([^,]+),%Y\)\}" != "(\d+)"\]\?(\w+)$/.exec(args!)!;
      if (String(local(instant, m[1]!).year) !== m[2]) i = labels.get(m[3]!)! - 1;
    } else if (app === "GotoIfTime") {
      const [condition, label] = args!.split("?");
      if (timing(condition!)(instant)) i = labels.get(label!)! - 1;
    }
  }
  throw new Error("fell off the context");
}

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

const formats = new Map<string, Intl.DateTimeFormat>();
let last: { instant: number; zone: string; time: ReturnType<typeof readLocal> } | undefined;

/** ast_localtime: the wall clock of `zone` at the instant. */
function local(instant: number, zone: string) {
  if (last?.instant !== instant || last.zone !== zone) last = { instant, zone, time: readLocal(instant, zone) };
  return last.time;
}

function readLocal(instant: number, zone: string) {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", weekday: "short", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric" });
    formats.set(zone, format);
  }
  const parts: Record<string, string> = {};
  for (const { type, value } of format.formatToParts(instant)) parts[type] = value;
  return { year: Number(parts.year), month: Number(parts.month) - 1, mday: Number(parts.day), wday: DAYS.indexOf(parts.weekday!.toLowerCase()), minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** get_range: "*", or & lists of names or numbers and cyclic ranges. */
function range(spec: string, names: string[] | undefined, max: number, base: number): Set<number> {
  if (spec === "*") return new Set(Array.from({ length: max }, (_, i) => i));
  const out = new Set<number>();
  const index = (text: string) => (names ? names.indexOf(text) : Number(text) - base);
  for (const part of spec.split("&")) {
    const [first, last] = part.split("-");
    let i = index(first!);
    const end = last === undefined ? i : index(last);
    out.add(end);
    while (i !== end) {
      out.add(i);
      i = (i + 1) % max;
    }
  }
  return out;
}

/** get_timerange: minutes of the day, the last minute of a range included, wrapping. */
function minutes(spec: string): Set<number> {
  if (spec === "*") return new Set(Array.from({ length: 1440 }, (_, i) => i));
  const out = new Set<number>();
  for (const part of spec.split("&")) {
    const [start, end] = part.split("-").map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3)));
    if (!(start! < 1440 && end! < 1440)) continue; // Asterisk skips an invalid time (hours 0-23)
    let x = start!;
    for (; x !== end; x = (x + 1) % 1440) out.add(x);
    out.add(x);
  }
  return out;
}

const timings = new Map<string, (instant: number) => boolean>();

/** ast_build_timing once per condition, then ast_check_timing2 per instant. */
function timing(condition: string): (instant: number) => boolean {
  let check = timings.get(condition);
  if (!check) {
    const [times, wdays, mdays, months, zone] = condition.split(",");
    const [monthSet, mdaySet, wdaySet, minuteSet] = [range(months!, MONTHS, 12, 0), range(mdays!, undefined, 31, 1), range(wdays!, DAYS, 7, 0), minutes(times!)];
    check = (instant) => {
      const t = local(instant, zone!);
      return monthSet.has(t.month) && mdaySet.has(t.mday - 1) && wdaySet.has(t.wday) && minuteSet.has(t.minute);
    };
    timings.set(condition, check);
  }
  return check;
}

function disagreements(s: ScheduleSettings, from: string, to: string, stepMinutes: number): string[] {
  const lines = scheduleDialplan("s", s);
  const out: string[] = [];
  for (let t = at(from); t < at(to); t += stepMinutes * 60_000) {
    const ours = openAt(s, t).open ? "open" : "closed";
    const dialplan = runContext(lines, t);
    if (ours !== dialplan) out.push(`${new Date(t).toISOString()}: ours ${ours}, GotoIfTime ${dialplan}`);
  }
  return out;
}

const office = schedule(`
timezone: Europe/Berlin
hours:
  mon-thu: ["09:00-13:00", "14:00-18:00"]
  fri: ["09:00-13:00", "22:00-02:00"]
  sat: "10:00-14:00"
holidays: ["12-25", "01-01", "2026-04-03", "2026-05-01"]
exceptions:
  "12-31": ["09:00-14:00", "20:00-01:00"]
  "2026-12-24": closed
  "2026-06-05": ["08:00-10:00"]
`);

describe("ivr dialplan --schedules: GotoIfTime lines that decide as the schedule does", () => {
  test("the context is sound extensions.conf and states what it cannot express", () => {
    const text = schedulesDialplan({ office }).join("\n");
    expect(checkExtensionsConf(text)).toEqual([]);
    expect(text).toContain("[ivr-schedule-office]");
    expect(text).toContain("GotoIfTime(09:00-12:59&14:00-17:59,mon-thu,*,*,Europe/Berlin?open)");
    expect(text).toContain("GotoIfTime(*,*,25,dec,Europe/Berlin?closed)");
    expect(text).toMatch(/NOT in these lines: overrides/);
    expect(text).toMatch(/temporary one \(until the next scheduled change\)/);
  });

  test("every 20 minutes of 14 months, holidays, exceptions and nights past midnight included", () => {
    expect(disagreements(office, "2026-01-01T00:00Z", "2027-03-01T00:00Z", 20)).toEqual([]);
  });

  test("every minute of the days clocks change in Europe/Berlin", () => {
    const night = schedule(`timezone: Europe/Berlin\nhours: { sat: ["23:00-02:45"], sun: ["02:30-04:00"] }`);
    expect(disagreements(night, "2026-03-28T20:00Z", "2026-03-29T06:00Z", 1)).toEqual([]);
    expect(disagreements(night, "2026-10-24T20:00Z", "2026-10-25T06:00Z", 1)).toEqual([]);
  });

  test("a dated day applies in its year only", () => {
    const lines = scheduleDialplan("office", office).join("\n");
    expect(lines).toContain('GotoIf($["${STRFTIME(${EPOCH},Europe/Berlin,%Y)}" != "2026"]?');
    expect(runContext(scheduleDialplan("office", office), at("2026-04-03T10:00Z"))).toBe("closed");
    expect(runContext(scheduleDialplan("office", office), at("2027-04-02T10:00Z"))).toBe("open");
  });
});
