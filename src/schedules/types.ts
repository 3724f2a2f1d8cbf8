import type { ZoneTable } from "./zone.ts";

/**
 * [start, end) in minutes after local midnight, as the config's "09:00-18:00" is read:
 * end is at most 1440 (24:00), or past it for an interval that runs over midnight
 * ("22:00-02:00" is [1320, 1560]): such an interval belongs to the day it starts on.
 */
export type Interval = readonly [number, number];

/** A schedule as the config holds it once validated: plain data (it is cached as JSON). */
export interface ScheduleSettings {
  /** The IANA zone its hours are read in, canonical (Europe/Berlin). */
  timezone: string;
  /** Weekly hours, Monday first: seven lists (empty: closed that day). */
  week: Interval[][];
  /** Days closed all day: "2026-12-24" once, "12-25" every year. */
  holidays: string[];
  /** Days with other hours than the week's, keyed like holidays; [] is closed all day. */
  exceptions: Record<string, Interval[]>;
  /** The zone's offsets around the time the config was read (see zone.ts). */
  zone: ZoneTable;
}

/** Whether a schedule is open at an instant, and why, in words for a log or an administrator. */
export interface Hours {
  open: boolean;
  reason: string;
}

/** Hours with the instant they end: the next time the state changes (null: not within the horizon). */
export interface ScheduleState extends Hours {
  until: Date | null;
}

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const pad = (n: number) => String(n).padStart(2, "0");

/** 570 -> "09:30"; 1440 -> "24:00"; past midnight the clock time of the next day (1560 -> "02:00"). */
export function clock(minutes: number): string {
  const m = minutes > 1440 ? minutes - 1440 : minutes;
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

export function formatInterval([start, end]: Interval): string {
  return `${clock(start)}-${clock(end)}`;
}
