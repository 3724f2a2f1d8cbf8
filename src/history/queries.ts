import { and, asc, count, desc, eq, gte, inArray, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { History } from "./db.ts";
import type { PhoneMatch } from "./phone.ts";
import { type CallRow, calls } from "./schema.ts";

/** A number as a user typed it: its E.164 forms (one per country it may be read in) and the spelling itself. */
export interface PhoneSearch {
  e164: readonly string[];
  raw: string;
}

export interface CallFilter {
  phone?: PhoneSearch;
  did?: string;
  status?: string;
  /** Calls that started at or after `since` and before `until` (ms since the epoch). */
  since?: number;
  until?: number;
  /** Only calls that started before this id (paging backwards: pass the last id seen). */
  before?: number;
  limit?: number;
}

export const MAX_LIMIT = 1000;

/** Newest first. */
export function listCalls(history: History, filter: CallFilter = {}): CallRow[] {
  const conditions = [
    filter.phone ? or(filter.phone.e164.length ? inArray(calls.externalNumber, [...filter.phone.e164]) : undefined, eq(calls.externalNumberRaw, filter.phone.raw)) : undefined,
    filter.did ? eq(calls.did, filter.did) : undefined,
    filter.status ? eq(calls.status, filter.status) : undefined,
    filter.before ? lt(calls.id, filter.before) : undefined,
    filter.since !== undefined ? gte(calls.startedAt, filter.since) : undefined,
    filter.until !== undefined ? lt(calls.startedAt, filter.until) : undefined,
  ].filter((c) => c !== undefined);
  return history.db
    .select()
    .from(calls)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(calls.id))
    .limit(Math.min(Math.max(filter.limit ?? 50, 1), MAX_LIMIT))
    .all();
}

export function getCall(history: History, id: number): CallRow | undefined {
  return history.db.select().from(calls).where(eq(calls.id, id)).get();
}

/**
 * The rows of one caller, as conditions each served by one index: by E.164, and rows
 * stored without an E.164 form by the spelling (a raw spelling never matches a row that
 * has an E.164 form other than this caller's: the same digits mean different numbers in
 * different countries).
 */
function callerConditions(phone: PhoneMatch): SQL[] {
  const byRaw = and(isNull(calls.externalNumber), eq(calls.externalNumberRaw, phone.raw))!;
  return phone.e164 ? [eq(calls.externalNumber, phone.e164), byRaw] : [byRaw];
}

/**
 * A column of this caller's newest (or oldest) row that meets `also`: one index seek per
 * form of the number (LIMIT 1 on (number, started_at)), whatever the size of the history.
 */
function callerValue(history: History, phone: PhoneMatch, also: SQL[], column: typeof calls.answeredExtension | typeof calls.callerName, which: "last" | "first") {
  const found = callerConditions(phone).flatMap((condition) => {
    const row = history.db
      .select({ value: column, startedAt: calls.startedAt })
      .from(calls)
      .where(and(condition, ...also))
      .orderBy(which === "last" ? desc(calls.startedAt) : asc(calls.startedAt))
      .limit(1)
      .get();
    return row ? [row] : [];
  });
  found.sort((a, b) => (which === "last" ? b.startedAt - a.startedAt : a.startedAt - b.startedAt));
  return found[0]?.value ?? undefined;
}

/** The extension that last (or first) had an answered call with this number. */
export function answeredExtension(history: History, phone: PhoneMatch, which: "last" | "first"): string | undefined {
  return callerValue(history, phone, [eq(calls.status, "answered"), isNotNull(calls.answeredExtension)], calls.answeredExtension, which);
}

/** The caller's name as last seen on one of their calls (the carrier's caller name). */
export function lastCallerName(history: History, phone: PhoneMatch): string | undefined {
  const name = callerValue(history, phone, [isNotNull(calls.callerName)], calls.callerName, "last")?.trim();
  // A "name" that is only the number again tells nothing.
  return name && !/^\+?[\d\s()-]+$/.test(name) ? name : undefined;
}

export interface CallStats {
  since: number;
  until: number;
  total: number;
  byStatus: Record<string, number>;
  byDid: Array<{ did: string | null; total: number; answered: number }>;
  answerRate: number | null;
  averageWaitSeconds: number | null;
  averageTalkSeconds: number | null;
}

export function callStats(history: History, since: number, until: number): CallStats {
  const range = and(gte(calls.startedAt, since), lt(calls.startedAt, until));
  const statusRows = history.db.select({ status: calls.status, n: count() }).from(calls).where(range).groupBy(calls.status).all();
  const byStatus = Object.fromEntries(statusRows.map((r) => [r.status, r.n]));
  const total = statusRows.reduce((sum, r) => sum + r.n, 0);
  const byDid = history.db
    .select({ did: calls.did, total: count(), answered: sql<number>`sum(case when ${calls.status} = 'answered' then 1 else 0 end)` })
    .from(calls)
    .where(range)
    .groupBy(calls.did)
    .orderBy(desc(count()), asc(calls.did))
    .all();
  const averages = history.db
    .select({ wait: sql<number | null>`avg(${calls.waitSeconds})`, talk: sql<number | null>`avg(${calls.talkSeconds})` })
    .from(calls)
    .where(and(range, eq(calls.status, "answered")))
    .get();
  const round = (n: number | null | undefined) => (n === null || n === undefined ? null : Math.round(n * 10) / 10);
  return {
    since,
    until,
    total,
    byStatus,
    byDid: byDid.map((r) => ({ ...r, answered: Number(r.answered ?? 0) })),
    answerRate: total ? round((100 * (byStatus.answered ?? 0)) / total) : null,
    averageWaitSeconds: round(averages?.wait),
    averageTalkSeconds: round(averages?.talk),
  };
}
