import { defaultMenu, menuFor } from "../config/menu.ts";
import type { IvrConfig } from "../config/schema.ts";
import { closedAction } from "../ivr/closed.ts";
import { formatLocal, resolveTypedTime, type TypedTime } from "./local-time.ts";
import { HORIZON_DAYS, stateAt } from "./schedule.ts";
import { formatInterval, type Interval, WEEKDAYS } from "./types.ts";
import { scheduleUsers } from "./users.ts";

/**
 * `ivr check`'s Schedules section: each schedule's hours, its state at a moment (now, or
 * --at read in the schedule's zone) and its next change, and who uses it. Overrides are not
 * shown: they live in ivr serve (GET /api/schedules).
 */
export function describeSchedules(config: IvrConfig, at: TypedTime): string[] {
  const schedules = Object.entries(config.schedules ?? {});
  if (!schedules.length) return [];
  const width = Math.max(...schedules.map(([name]) => name.length));
  const under = " ".repeat(width + 4);
  const out = ["", `Schedules (${at.kind === "local" ? `at ${at.text} in each schedule's zone` : `at ${new Date(at.ms).toISOString()}`}; overrides are not included):`];
  for (const [name, schedule] of schedules) {
    const instant = resolveTypedTime(at, schedule);
    const state = stateAt(schedule, instant);
    const next = state.until ? `${state.open ? "closes" : "opens"} ${formatLocal(schedule, state.until)}` : `no change within ${HORIZON_DAYS} days`;
    out.push(`  ${name.padEnd(width)}  ${schedule.timezone}, ${weekSummary(schedule.week)}`);
    out.push(`${under}${formatLocal(schedule, instant)}: ${state.open ? "open" : "closed"} (${state.reason}); ${next}`);
    const users = scheduleUsers(config, name);
    const dids = users.dids.filter((did) => did !== "default");
    const used = [
      ...(dids.length ? [`DID${dids.length === 1 ? "" : "s"} ${dids.join(", ")}`] : []),
      ...(users.dids.includes("default") ? ["the default menu (any DID without an entry)"] : []),
      ...(users.enterprises.length ? [`Smart Redirect ${users.enterprises.join(", ")}`] : []),
    ];
    out.push(`${under}${used.length ? `used by ${used.join("; ")}` : "note: no DID or enterprise uses it"}`);
  }
  return out;
}

/** "mon-fri 09:00-18:00; sat 10:00-14:00": days with the same hours together. */
export function weekSummary(week: readonly (readonly Interval[])[]): string {
  const groups: Array<{ days: number[]; hours: string }> = [];
  week.forEach((intervals, day) => {
    if (!intervals.length) return;
    const hours = intervals.map(formatInterval).join(", ");
    const last = groups.at(-1);
    if (last && last.hours === hours && last.days.at(-1) === day - 1) last.days.push(day);
    else groups.push({ days: [day], hours });
  });
  if (!groups.length) return "no weekly hours";
  // A run through Sunday into Monday (fri-mon) is one group.
  const [first, last] = [groups[0]!, groups.at(-1)!];
  if (groups.length > 1 && first.hours === last.hours && first.days[0] === 0 && last.days.at(-1) === 6) {
    last.days.push(...first.days);
    groups.shift();
  }
  return groups.map(({ days, hours }) => `${WEEKDAYS[days[0]!]}${days.length > 1 ? `-${WEEKDAYS[days.at(-1)!]}` : ""} ${hours}`).join("; ");
}

/** For ivr check's DID list: what a DID's callers get outside its schedule's hours (undefined without a schedule). */
export function closedNote(config: IvrConfig, did: string): string | undefined {
  const menu = did === "default" ? defaultMenu(config) : menuFor(config, did).menu;
  if (!menu.schedule) return undefined;
  const { sound, then } = closedAction(menu);
  const next = then.kind === "hangup" ? "hang up" : then.kind === "queue" ? `queue ${then.queue}` : then.kind === "extension" ? `extension ${then.extension}` : `voicemail ${then.mailbox}`;
  return `outside schedule ${menu.schedule}: ${sound}, then ${next}`;
}
