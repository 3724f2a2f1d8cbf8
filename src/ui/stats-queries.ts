import { and, count, desc, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import type { History } from "../history/db.ts";
import { calls } from "../history/schema.ts";

/** The charts' questions to the history: calls per hour (or day), by DID, by the extension that answered. */

export interface Bucket {
  start: number;
  total: number;
  answered: number;
}

export interface GroupStats {
  total: number;
  answered: number;
  averageWaitSeconds: number | null;
  averageTalkSeconds: number | null;
}

export interface RangeStats {
  /** Every bucket of the range, empty ones with zeros, so a chart shows the quiet hours too. */
  buckets: Bucket[];
  /** Busiest first. */
  byDid: Array<GroupStats & { did: string | null }>;
  totals: GroupStats;
}

const answered = sql<number>`sum(case when ${calls.status} = 'answered' then 1 else 0 end)`;
const answeredSum = (column: typeof calls.waitSeconds | typeof calls.talkSeconds) => sql<number>`coalesce(sum(case when ${calls.status} = 'answered' then ${column} end), 0)`;
const answeredCount = (column: typeof calls.waitSeconds | typeof calls.talkSeconds) => sql<number>`count(case when ${calls.status} = 'answered' then ${column} end)`;
const inRange = (since: number, until: number) => and(gte(calls.startedAt, since), lt(calls.startedAt, until));
const round = (n: number | null | undefined) => (n === null || n === undefined ? null : Math.round(Number(n) * 10) / 10);

interface Sums {
  total: number;
  answered: number;
  wait: number;
  waitN: number;
  talk: number;
  talkN: number;
}
const emptySums = (): Sums => ({ total: 0, answered: 0, wait: 0, waitN: 0, talk: 0, talkN: 0 });
const add = (into: Sums, row: Sums) => {
  into.total += row.total;
  into.answered += row.answered;
  into.wait += row.wait;
  into.waitN += row.waitN;
  into.talk += row.talk;
  into.talkN += row.talkN;
};
/** Averages over answered calls, as callStats has them. */
const groupStats = (s: Sums): GroupStats => ({ total: s.total, answered: s.answered, averageWaitSeconds: s.waitN ? round(s.wait / s.waitN) : null, averageTalkSeconds: s.talkN ? round(s.talk / s.talkN) : null });

/**
 * Calls that started in [since, until): per `bucketMs` (aligned on local time by
 * `offsetMs`, the zone's offset at `since`: local midnights and hours), per DID, and in
 * all. One pass over the range (grouped by bucket and DID): a month of a busy PBX is one
 * index range scan, not one per chart.
 */
export function rangeStats(history: History, since: number, until: number, bucketMs: number, offsetMs: number): RangeStats {
  // Integers (-0 is bound as a REAL): else SQLite divides as REAL and every call is a group of its own.
  const index = sql<number>`(${calls.startedAt} + ${Math.round(offsetMs) || 0}) / ${Math.round(bucketMs)}`;
  const rows = history.db
    .select({ index, did: calls.did, total: count(), answered, wait: answeredSum(calls.waitSeconds), waitN: answeredCount(calls.waitSeconds), talk: answeredSum(calls.talkSeconds), talkN: answeredCount(calls.talkSeconds) })
    .from(calls)
    .where(inRange(since, until))
    .groupBy(index, calls.did)
    .all();
  const byIndex = new Map<number, Sums>();
  const byDid = new Map<string | null, Sums>();
  const totals = emptySums();
  for (const row of rows) {
    const sums: Sums = { total: row.total, answered: Number(row.answered ?? 0), wait: Number(row.wait), waitN: row.waitN, talk: Number(row.talk), talkN: row.talkN };
    const i = Number(row.index);
    byIndex.set(i, byIndex.get(i) ?? emptySums());
    add(byIndex.get(i)!, sums);
    byDid.set(row.did, byDid.get(row.did) ?? emptySums());
    add(byDid.get(row.did)!, sums);
    add(totals, sums);
  }
  const buckets: Bucket[] = [];
  for (let i = Math.floor((since + offsetMs) / bucketMs); i * bucketMs - offsetMs < until; i++) {
    const sums = byIndex.get(i);
    buckets.push({ start: i * bucketMs - offsetMs, total: sums?.total ?? 0, answered: sums?.answered ?? 0 });
  }
  return {
    buckets,
    byDid: [...byDid].map(([did, sums]) => ({ did, ...groupStats(sums) })).sort((a, b) => b.total - a.total || String(a.did).localeCompare(String(b.did))),
    totals: groupStats(totals),
  };
}

/** Answered calls per extension that answered (with the user AMI recorded, if any), busiest first. */
export function answeredByExtension(history: History, since: number, until: number, limit = 200): Array<{ extension: string; user: string | null; answered: number; waitSeconds: number; talkSeconds: number; waitCount: number; talkCount: number }> {
  return history.db
    .select({
      extension: calls.answeredExtension,
      user: sql<string | null>`max(${calls.answeredUser})`,
      answered: count(),
      waitSeconds: sql<number>`coalesce(sum(${calls.waitSeconds}), 0)`,
      waitCount: count(calls.waitSeconds),
      talkSeconds: sql<number>`coalesce(sum(${calls.talkSeconds}), 0)`,
      talkCount: count(calls.talkSeconds),
    })
    .from(calls)
    .where(and(inRange(since, until), eq(calls.status, "answered"), isNotNull(calls.answeredExtension)))
    .groupBy(calls.answeredExtension)
    .orderBy(desc(count()))
    .limit(limit)
    .all()
    .map((r) => ({ ...r, extension: r.extension!, waitSeconds: Number(r.waitSeconds), talkSeconds: Number(r.talkSeconds) }));
}

export interface ManagerStats {
  manager: string;
  extensions: string[];
  answered: number;
  averageWaitSeconds: number | null;
  averageTalkSeconds: number | null;
}

/**
 * Answered calls per manager: extensions grouped by the user who owns them (the one AMI
 * recorded, else the Smart Redirect users of the config in force), an extension without an
 * owner on its own.
 */
export function statsByManager(history: History, since: number, until: number, ownerOf: (extension: string) => string | undefined): ManagerStats[] {
  const groups = new Map<string, { extensions: string[]; answered: number; wait: number; waitN: number; talk: number; talkN: number }>();
  for (const row of answeredByExtension(history, since, until)) {
    const manager = row.user ?? ownerOf(row.extension) ?? `extension ${row.extension}`;
    const group = groups.get(manager) ?? { extensions: [], answered: 0, wait: 0, waitN: 0, talk: 0, talkN: 0 };
    group.extensions.push(row.extension);
    group.answered += row.answered;
    group.wait += row.waitSeconds;
    group.waitN += row.waitCount;
    group.talk += row.talkSeconds;
    group.talkN += row.talkCount;
    groups.set(manager, group);
  }
  return [...groups]
    .map(([manager, g]) => ({ manager, extensions: g.extensions.sort(), answered: g.answered, averageWaitSeconds: g.waitN ? round(g.wait / g.waitN) : null, averageTalkSeconds: g.talkN ? round(g.talk / g.talkN) : null }))
    .sort((a, b) => b.answered - a.answered || a.manager.localeCompare(b.manager));
}
