/**
 * How the page writes times and numbers. Times are the server's local time (the PBX's time
 * zone, as in Asterisk's own logs); the browser's zone may differ.
 */

const pad = (n: number) => String(n).padStart(2, "0");

/** `2026-11-21 14:03:05`, local time. */
export function dateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "";
  const d = new Date(ms);
  return `${day(ms)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `2026-11-21`, local time: the value of an `<input type="date">`. */
export function day(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `14:00`, local time. */
export function hourMinute(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A date input's value as local midnight, in ms; undefined when empty or not a date. */
export function parseDay(value: string | undefined): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? "");
  if (!m) return undefined;
  const ms = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
  return Number.isFinite(ms) && day(ms) === value ? ms : undefined;
}

/** Local midnight of the day after `ms` (a date range's end is inclusive of its last day). */
export function nextDay(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
}

/** `0:42`, `12:05`, `1:02:03`. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "";
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${Math.round(value * 10) / 10} %`;
}

/** The words of a status (`no_answer` -> `no answer`). */
export const statusWords = (status: string) => status.replace(/_/g, " ");
