/**
 * A time zone's offset from UTC (minutes east: Europe/Berlin is 60 in winter, 120 in summer)
 * and the instants it changes, read from Intl.DateTimeFormat: the runtime's copy of the IANA
 * database, no dependency. Intl's first use in a process costs about 10 ms (ICU loads its
 * data), too much for every per-call process; so the offsets of the years around the time
 * a config is read are computed when it is validated and kept with it (ZoneTable). Inside
 * them an offset is arithmetic; other years are read from Intl when first needed.
 */

const MINUTE_MS = 60_000;
const WEEK_MS = 7 * 86_400_000;

/** A zone's offsets over whole UTC years, as plain data (it travels in the cached config). */
export interface ZoneTable {
  /** The first UTC year covered, and the year after the last. */
  fromYear: number;
  toYear: number;
  /** The offset in force at 00:00 UTC on 1 January of fromYear. */
  start: number;
  /** [instant in ms, the offset from then on], in order. */
  changes: Array<[number, number]>;
}

interface Year {
  /** The offset at 00:00 UTC on 1 January. */
  start: number;
  /** Changes after that instant, before the next year's. */
  changes: Array<[number, number]>;
  /** The offset in force at the end of the year. */
  end: number;
}

const yearStart = (year: number) => Date.UTC(year, 0, 1);
const yearOf = (ms: number) => new Date(ms).getUTCFullYear();

/** The canonical name of an IANA zone ("europe/berlin" -> "Europe/Berlin"), or undefined if the runtime does not know it. */
export function canonicalZone(name: string): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The offset at `ms` as Intl computes it: the zone's wall clock minus UTC, to the minute. */
function intlOffset(zone: string, ms: number): number {
  let format = formatters.get(zone);
  if (!format) {
    const numeric = "numeric" as const;
    format = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: numeric, month: numeric, day: numeric, hour: numeric, minute: numeric, second: numeric });
    formatters.set(zone, format);
  }
  const part: Record<string, number> = {};
  for (const { type, value } of format.formatToParts(ms)) part[type] = Number(value);
  const wall = Date.UTC(part.year!, part.month! - 1, part.day!, part.hour! % 24, part.minute!, part.second!);
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / MINUTE_MS);
}

/**
 * One UTC year of a zone from Intl: probed weekly, each change found to the minute by
 * bisection. Two changes less than a week apart that cancel out would be missed; no zone
 * has had such a pair since 1970.
 */
function readYear(zone: string, year: number): Year {
  const from = yearStart(year);
  const last = yearStart(year + 1) - MINUTE_MS;
  const start = intlOffset(zone, from);
  const changes: Array<[number, number]> = [];
  let before = from;
  let offset = start;
  while (before < last) {
    const probe = Math.min(before + WEEK_MS, last);
    const after = intlOffset(zone, probe);
    if (after !== offset) {
      // The first minute in (before, probe] with the new offset.
      let lo = before / MINUTE_MS;
      let hi = probe / MINUTE_MS;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (intlOffset(zone, mid * MINUTE_MS) === offset) lo = mid;
        else hi = mid;
      }
      changes.push([hi * MINUTE_MS, after]);
      offset = after;
    }
    before = probe;
  }
  return { start, changes, end: offset };
}

/** The offsets of years [fromYear, toYear), from Intl: computed when a config is validated. */
export function zoneTable(zone: string, fromYear: number, toYear: number): ZoneTable {
  const of = zoneOffsets(zone);
  const start = of.year(fromYear).start;
  const changes: Array<[number, number]> = [];
  let offset = start;
  for (let year = fromYear; year < toYear; year++) {
    const y = of.year(year);
    if (y.start !== offset) changes.push([yearStart(year), y.start]);
    changes.push(...y.changes);
    offset = y.end;
  }
  return { fromYear, toYear, start, changes };
}

/** One zone's offsets: years from a ZoneTable, others read from Intl when asked for. */
export class ZoneOffsets {
  private readonly years = new Map<number, Year>();
  private readonly seeded = new WeakSet<ZoneTable>();

  constructor(readonly zone: string) {}

  /** Adds the years of a table this zone does not know yet (a table is trusted as computed). */
  seed(table: ZoneTable): void {
    if (this.seeded.has(table)) return;
    this.seeded.add(table);
    let offset = table.start;
    let next = 0;
    for (let year = table.fromYear; year < table.toYear; year++) {
      const end = yearStart(year + 1);
      while (next < table.changes.length && table.changes[next]![0] <= yearStart(year)) offset = table.changes[next++]![1];
      const start = offset;
      const changes: Array<[number, number]> = [];
      while (next < table.changes.length && table.changes[next]![0] < end) {
        changes.push(table.changes[next]!);
        offset = table.changes[next++]![1];
      }
      if (!this.years.has(year)) this.years.set(year, { start, changes, end: offset });
    }
  }

  year(year: number): Year {
    let known = this.years.get(year);
    if (!known) {
      known = readYear(this.zone, year);
      this.years.set(year, known);
    }
    return known;
  }

  /** Minutes east of UTC at `ms`. */
  offsetAt(ms: number): number {
    const year = this.year(yearOf(ms));
    let offset = year.start;
    for (const [at, after] of year.changes) {
      if (at > ms) break;
      offset = after;
    }
    return offset;
  }

  /** The first instant after `ms`, and not after `limit`, at which the offset changes. */
  nextChange(ms: number, limit: number): number | undefined {
    for (let y = yearOf(ms); yearStart(y) <= limit; y++) {
      const year = this.year(y);
      for (const [at] of year.changes) {
        if (at > ms) return at <= limit ? at : undefined;
      }
      const boundary = yearStart(y + 1);
      if (boundary > ms && boundary <= limit && this.year(y + 1).start !== year.end) return boundary;
    }
    return undefined;
  }
}

const zones = new Map<string, ZoneOffsets>();

/** The process's offsets of `zone`, seeded with `table` when given. */
export function zoneOffsets(zone: string, table?: ZoneTable): ZoneOffsets {
  let offsets = zones.get(zone);
  if (!offsets) {
    offsets = new ZoneOffsets(zone);
    zones.set(zone, offsets);
  }
  if (table) offsets.seed(table);
  return offsets;
}
