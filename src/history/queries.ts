import { and, asc, count, desc, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import type { History } from "./db.ts";
import { type CallRow, calls } from "./schema.ts";

export interface CallFilter {
  /** E.164, already normalized by the caller of this function. */
  phone?: string;
  did?: string;
  status?: string;
  /** Only calls that started before this id (paging backwards: pass the last id seen). */
  before?: number;
  limit?: number;
}

export const MAX_LIMIT = 1000;

/** Newest first. */
export function listCalls(history: History, filter: CallFilter = {}): CallRow[] {
  const conditions = [
    filter.phone ? eq(calls.externalNumber, filter.phone) : undefined,
    filter.did ? eq(calls.did, filter.did) : undefined,
    filter.status ? eq(calls.status, filter.status) : undefined,
    filter.before ? lt(calls.id, filter.before) : undefined,
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
 * The extension that last (or first) had an answered call with this number. Uses the
 * (external_number, started_at) index: one index seek, whatever the size of the history.
 */
export function answeredExtension(history: History, phone: string, which: "last" | "first"): string | undefined {
  const row = history.db
    .select({ extension: calls.answeredExtension })
    .from(calls)
    .where(and(eq(calls.externalNumber, phone), eq(calls.status, "answered"), isNotNull(calls.answeredExtension)))
    .orderBy(which === "last" ? desc(calls.startedAt) : asc(calls.startedAt))
    .limit(1)
    .get();
  return row?.extension ?? undefined;
}

/** The caller's name as last seen on one of their calls (the carrier's caller name). */
export function lastCallerName(history: History, phone: string): string | undefined {
  const row = history.db
    .select({ name: calls.callerName })
    .from(calls)
    .where(and(eq(calls.externalNumber, phone), isNotNull(calls.callerName)))
    .orderBy(desc(calls.startedAt))
    .limit(1)
    .get();
  const name = row?.name?.trim();
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
