import { and, count, desc, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import type { History } from "../history/db.ts";
import { calls } from "../history/schema.ts";

/** The charts' questions to the history: calls per hour (or day), by DID, by the extension that answered. */

export interface Bucket {
  start: number;
  total: number;
  answered: number;
}

const answered = sql<number>`sum(case when ${calls.status} = 'answered' then 1 else 0 end)`;
const answeredAvg = (column: typeof calls.waitSeconds | typeof calls.talkSeconds) => sql<number | null>`avg(case when ${calls.status} = 'answered' then ${column} end)`;
const inRange = (since: number, until: number) => and(gte(calls.startedAt, since), lt(calls.startedAt, until));

/**
 * Calls that started in [since, until), counted per `bucketMs`, buckets aligned on local
 * time (`offsetMs`, the zone's offset at `since`: local midnights and hours). Every bucket of
 * the range is there, empty ones with zeros, so a chart shows the quiet hours too.
 */
export function callsPerBucket(history: History, since: number, until: number, bucketMs: number, offsetMs: number): Bucket[] {
  // Integers (-0 is bound as a REAL): else SQLite divides as REAL and every call is a group of its own.
  const index = sql<number>`(${calls.startedAt} + ${Math.round(offsetMs) || 0}) / ${Math.round(bucketMs)}`;
  const rows = history.db.select({ index, total: count(), answered }).from(calls).where(inRange(since, until)).groupBy(index).all();
  const byIndex = new Map(rows.map((r) => [Number(r.index), r]));
  const buckets: Bucket[] = [];
  for (let i = Math.floor((since + offsetMs) / bucketMs); i * bucketMs - offsetMs < until; i++) {
    const row = byIndex.get(i);
    buckets.push({ start: i * bucketMs - offsetMs, total: row?.total ?? 0, answered: Number(row?.answered ?? 0) });
  }
  return buckets;
}

export interface GroupStats {
  total: number;
  answered: number;
  averageWaitSeconds: number | null;
  averageTalkSeconds: number | null;
}

const round = (n: number | null | undefined) => (n === null || n === undefined ? null : Math.round(Number(n) * 10) / 10);

/** Per DID, busiest first (at most `limit`). Averages over answered calls. */
export function statsByDid(history: History, since: number, until: number, limit = 100): Array<GroupStats & { did: string | null }> {
  return history.db
    .select({ did: calls.did, total: count(), answered, wait: answeredAvg(calls.waitSeconds), talk: answeredAvg(calls.talkSeconds) })
    .from(calls)
    .where(inRange(since, until))
    .groupBy(calls.did)
    .orderBy(desc(count()), calls.did)
    .limit(limit)
    .all()
    .map((r) => ({ did: r.did, total: r.total, answered: Number(r.answered ?? 0), averageWaitSeconds: round(r.wait), averageTalkSeconds: round(r.talk) }));
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
