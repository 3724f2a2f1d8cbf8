import { and, asc, eq, gte, lte } from "drizzle-orm";
import type { History } from "../history/db.ts";
import { phoneMatch } from "../history/phone.ts";
import { lastCallerName } from "../history/queries.ts";
import { type CallRow, type DecisionRow, smartDecisions } from "../history/schema.ts";

/** Decisions are asked before the call is answered; a little slack covers clocks of two processes. */
const DECISION_SLACK_MS = 60_000;

/**
 * The Smart Redirect decisions of a call: those for its caller around its time (one index
 * seek on (phone, at)); when some carry the call's uniqueid, only those.
 */
export function decisionsOf(history: History, call: CallRow): DecisionRow[] {
  if (!call.externalNumber) return [];
  const rows = history.db
    .select()
    .from(smartDecisions)
    .where(and(eq(smartDecisions.phone, call.externalNumber), gte(smartDecisions.at, call.startedAt - DECISION_SLACK_MS), lte(smartDecisions.at, (call.endedAt ?? call.startedAt) + DECISION_SLACK_MS)))
    .orderBy(asc(smartDecisions.at))
    .limit(20)
    .all();
  const ids = new Set([call.uniqueid, call.linkedid].filter(Boolean));
  const own = rows.filter((row) => row.uniqueid && ids.has(row.uniqueid));
  return own.length ? own : rows;
}

/** The names the history knows for these numbers (the carrier's caller name on a past call); at most `max` numbers. */
export function historyNames(history: History, numbers: readonly string[], max = 50): Record<string, string | null> {
  const names: Record<string, string | null> = {};
  for (const number of numbers.slice(0, max)) {
    const match = phoneMatch(number);
    names[number] = (match && lastCallerName(history, match)) ?? null;
  }
  return names;
}
