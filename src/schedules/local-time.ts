import { DAY_MS, MINUTE_MS } from "./days.ts";
import type { ScheduleSettings } from "./types.ts";
import { zoneOffsets } from "./zone.ts";

/** Wall-clock time in a zone and back, for what administrators type and read. */

const pad = (n: number) => String(n).padStart(2, "0");

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "2026-12-31 18:05 +01:00": the instant as the schedule's wall clock shows it. */
export function formatLocal(schedule: Pick<ScheduleSettings, "timezone" | "zone">, at: Date | number): string {
  const ms = typeof at === "number" ? at : at.getTime();
  const offset = zoneOffsets(schedule.timezone, schedule.zone).offsetAt(ms);
  const local = new Date(ms + offset * MINUTE_MS).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 16)} ${offsetText(offset)}`;
}

/**
 * The instant at which the zone's wall clock reads `local` (ms of a UTC-based date standing
 * for the wall-clock time). A time skipped when clocks go forward is the instant of the jump
 * (the first at which the clock has passed it); a time lived twice when they go back is its
 * first occurrence.
 */
export function instantOf(schedule: Pick<ScheduleSettings, "timezone" | "zone">, local: number): number {
  const offsets = zoneOffsets(schedule.timezone, schedule.zone);
  const around = [offsets.offsetAt(local - DAY_MS), offsets.offsetAt(local + DAY_MS)];
  const candidates = [...new Set(around)].map((offset) => local - offset * MINUTE_MS).sort((a, b) => a - b);
  for (const at of candidates) if (at + offsets.offsetAt(at) * MINUTE_MS === local) return at;
  return offsets.nextChange(candidates[0]! - DAY_MS, candidates.at(-1)! + DAY_MS) ?? candidates[0]!;
}

/**
 * A time as typed on the command line: ISO 8601 with an offset or Z ("2026-12-31T17:05Z")
 * is that instant; without one ("2026-12-31T18:05", "2026-12-31 18:05", "2026-12-31") it is
 * a wall-clock time, read in each schedule's own zone. Undefined when it is neither.
 */
export type TypedTime = { kind: "instant"; ms: number } | { kind: "local"; ms: number; text: string };

export function parseTypedTime(text: string): TypedTime | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", zone] = m;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(local);
  const valid = check.getUTCMonth() === Number(mo) - 1 && check.getUTCDate() === Number(d) && Number(h) < 24 && Number(mi) < 60 && Number(s) < 60;
  if (!valid) return undefined;
  if (!zone) return { kind: "local", ms: local, text: text.trim() };
  if (zone === "Z") return { kind: "instant", ms: local };
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return { kind: "instant", ms: local - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * MINUTE_MS };
}

/** The instant a typed time stands for in a schedule's zone. */
export function resolveTypedTime(time: TypedTime, schedule: Pick<ScheduleSettings, "timezone" | "zone"> | undefined): number {
  if (time.kind === "instant" || !schedule) return time.ms;
  return instantOf(schedule, time.ms);
}
