import { and, asc, count, desc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import type { History } from "./db.ts";
import type { PhoneMatch } from "./phone.ts";
import { perDatabase } from "./prepared.ts";
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
 * A caller's rows, two ways, each served by one index (LIMIT 1 on (number, started_at)),
 * whatever the size of the history: by E.164, and for rows stored without an E.164 form by
 * the spelling (a raw spelling never matches a row that has an E.164 form other than this
 * caller's: the same digits mean different numbers in different countries). The spelling is
 * searched in calls_unnormalized_number, which holds only the rows without an E.164 form (a
 * seek in an empty index when every row has one); named, because the planner would rather
 * take calls_external_number_raw, which matches one more term but holds every row. A file
 * opened read-only before `ivr serve` migrated it may not have that index yet: then the
 * planner chooses, as before migration 0007.
 */
const BY_E164 = "external_number = ?1";
const BY_RAW = "external_number IS NULL AND external_number_raw = ?2";
const UNNORMALIZED_INDEX = "calls_unnormalized_number";

const hasUnnormalizedIndex = (history: History) =>
  history.sqlite.query("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(UNNORMALIZED_INDEX) !== null;

/** The newest (or oldest) row meeting `condition` by E.164 (?1) or by spelling (?2): value, started_at. */
const oneOf = (history: History, value: string, condition: string, by: "e164" | "raw", which: "last" | "first") => {
  const from = by === "raw" && hasUnnormalizedIndex(history) ? `calls INDEXED BY ${UNNORMALIZED_INDEX}` : "calls";
  return `SELECT ${value} AS value, started_at FROM ${from} WHERE ${by === "e164" ? BY_E164 : BY_RAW} AND ${condition} ORDER BY started_at ${which === "last" ? "DESC" : "ASC"} LIMIT 1`;
};

type Found = { value: string | null; started_at: number } | undefined;

/** The newer (or older) of the two, E.164 on a tie. */
const pick = (e164: Found, raw: Found, which: "last" | "first") =>
  !e164 ? raw : !raw ? e164 : (which === "last" ? e164.started_at >= raw.started_at : e164.started_at <= raw.started_at) ? e164 : raw;

/**
 * A column of one caller's newest (or oldest) row that meets `condition`, E.164 and spelling
 * in one statement (one read transaction). Prepared once per database: a Smart decision runs
 * one or two of them.
 */
function callerLookup(history: History, value: string, condition: string, which: "last" | "first") {
  const statement = history.sqlite.prepare<{ kind: number; value: string | null; started_at: number }, [string | null, string]>(
    `SELECT 0 AS kind, * FROM (${oneOf(history, value, condition, "e164", which)}) UNION ALL SELECT 1 AS kind, * FROM (${oneOf(history, value, condition, "raw", which)})`,
  );
  return (phone: PhoneMatch): string | undefined => {
    const found: Found[] = [];
    for (const row of statement.all(phone.e164 ?? null, phone.raw)) found[row.kind] = row;
    return pick(found[0], found[1], which)?.value ?? undefined;
  };
}

const ANSWERED = "status = 'answered' AND answered_extension IS NOT NULL";
const NAMED = "caller_name IS NOT NULL";

// Each prepared when first needed: a per-call process asks one or two of them.
const lastAnswered = perDatabase((history) => callerLookup(history, "answered_extension", ANSWERED, "last"));
const firstAnswered = perDatabase((history) => callerLookup(history, "answered_extension", ANSWERED, "first"));
const lastName = perDatabase((history) => callerLookup(history, "caller_name", NAMED, "last"));

/** The extension that last (or first) had an answered call with this number. */
export function answeredExtension(history: History, phone: PhoneMatch, which: "last" | "first"): string | undefined {
  return (which === "last" ? lastAnswered : firstAnswered)(history)(phone);
}

/** The caller's name as last seen on one of their calls (the carrier's caller name). */
export function lastCallerName(history: History, phone: PhoneMatch): string | undefined {
  return meaningfulName(lastName(history)(phone));
}

// A "name" that is only the number again tells nothing.
const meaningfulName = (value: string | null | undefined) => {
  const name = value?.trim();
  return name && !/^\+?[\d\s()-]+$/.test(name) ? name : undefined;
};

/** What a Smart decision asks about every caller: their name, and the extension that last answered them. */
export interface CallerFacts {
  name: string | undefined;
  lastAnswered: string | undefined;
}

/**
 * lastCallerName and answeredExtension(..., "last") in one statement: the same four index
 * lookups (by E.164 and by spelling, as callerLookup), but one statement is one read
 * transaction. In WAL mode each statement on its own takes and drops a shared lock on the
 * -shm file and checks the WAL (two fcntl and an fstat, measured with strace): a quarter of
 * a Smart decision's time when it ran four. Row `kind`: 0/1 the answered extension by
 * E.164/spelling, 2/3 the name.
 */
const callerFactsSql = (history: History) =>
  [
    oneOf(history, "answered_extension", ANSWERED, "e164", "last"),
    oneOf(history, "answered_extension", ANSWERED, "raw", "last"),
    oneOf(history, "caller_name", NAMED, "e164", "last"),
    oneOf(history, "caller_name", NAMED, "raw", "last"),
  ]
    .map((select, kind) => `SELECT ${kind} AS kind, * FROM (${select})`)
    .join(" UNION ALL ");
const callerFactsStatement = perDatabase((history) => history.sqlite.prepare<{ kind: number; value: string | null; started_at: number }, [string | null, string]>(callerFactsSql(history)));

/** The query plan of callerFacts's statement (SQLite's EXPLAIN QUERY PLAN details), to show which indexes it searches. */
export const callerFactsPlan = (history: History): string[] =>
  history.sqlite.query<{ detail: string }, []>(`EXPLAIN QUERY PLAN ${callerFactsSql(history)}`).all().map((row) => row.detail);

export function callerFacts(history: History, phone: PhoneMatch): CallerFacts {
  const found: Found[] = [];
  for (const row of callerFactsStatement(history).all(phone.e164 ?? null, phone.raw)) found[row.kind] = row;
  return { lastAnswered: pick(found[0], found[1], "last")?.value ?? undefined, name: meaningfulName(pick(found[2], found[3], "last")?.value) };
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
