import type { History } from "../history/db.ts";
import type { PublishedEvent } from "../outbox/recorder.ts";
import type { OutboxStore } from "../outbox/store.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

interface IvrRow {
  id: number;
  uniqueid: string;
  linkedid: string | null;
  startedAt: number;
  endedAt: number | null;
  externalNumber: string | null;
  externalNumberRaw: string | null;
  callerName: string | null;
  did: string | null;
  digits: string | null;
  routeKind: string | null;
  destination: string | null;
  status: string;
}

interface DecisionRow {
  id: number;
  at: number;
  via: string;
  enterprise: string;
  uniqueid: string | null;
  phoneRaw: string | null;
  phone: string | null;
  trunk: string | null;
  mode: string;
  rule: string | null;
  outcome: string;
  name: string | null;
  dialPlan: string | null;
  reason: string | null;
  latencyMs: number;
  cached: number;
}

/** ivr.input: what an IVR caller entered at each attempt and where it led. */
export function ivrInputEvent(row: IvrRow): PublishedEvent {
  const key = row.linkedid ?? row.uniqueid;
  return {
    type: "ivr.input",
    key,
    at: row.endedAt ?? row.startedAt,
    data: () => ({
      call_id: key,
      history_id: row.id,
      uniqueid: row.uniqueid,
      did: row.did,
      external_number: row.externalNumber,
      external_number_raw: row.externalNumberRaw,
      caller_name: row.callerName,
      started_at: iso(row.startedAt),
      ended_at: iso(row.endedAt),
      inputs: row.digits ? row.digits.split(",") : [],
      route_kind: row.routeKind,
      destination: row.destination,
      status: row.status,
    }),
  };
}

/** smart.decision: one Smart Redirect answer, as logged. Keyed by the call's uniqueid when the PBX sent one. */
export function smartDecisionEvent(row: DecisionRow): PublishedEvent {
  const key = row.uniqueid ?? `smart:${row.id}`;
  return {
    type: "smart.decision",
    key,
    at: row.at,
    data: () => ({
      call_id: row.uniqueid,
      decision_id: row.id,
      enterprise: row.enterprise,
      via: row.via,
      phone: row.phone,
      phone_raw: row.phoneRaw,
      line: row.trunk,
      mode: row.mode,
      outcome: row.outcome,
      rule: row.rule,
      name: row.name,
      dial_plan: row.dialPlan,
      reason: row.reason,
      latency_ms: row.latencyMs,
      cached: row.cached === 1,
    }),
  };
}

const SOURCES = {
  ivr_calls: {
    max: "SELECT coalesce(max(id), 0) AS id FROM calls",
    rows: `SELECT id, uniqueid, linkedid, source, started_at AS startedAt, ended_at AS endedAt, external_number AS externalNumber,
      external_number_raw AS externalNumberRaw, caller_name AS callerName, did, digits, route_kind AS routeKind, destination, status
      FROM calls WHERE id > ? ORDER BY id LIMIT ?`,
    event: (row: Record<string, unknown>) => (row.source === "ivr" ? ivrInputEvent(row as unknown as IvrRow) : undefined),
  },
  smart_decisions: {
    max: "SELECT coalesce(max(id), 0) AS id FROM smart_decisions",
    rows: `SELECT id, at, via, enterprise, uniqueid, phone_raw AS phoneRaw, phone, trunk, mode, rule, outcome, name, dial_plan AS dialPlan,
      reason, latency_ms AS latencyMs, cached FROM smart_decisions WHERE id > ? ORDER BY id LIMIT ?`,
    event: (row: Record<string, unknown>) => smartDecisionEvent(row as unknown as DecisionRow),
  },
} as const;

/**
 * ivr.input and smart.decision come from the history's own rows, whoever wrote them (this
 * server, a per-call process, a spool import): a cursor per table remembers the last row
 * turned into events, and moves in the same transaction that stores them, so each row is
 * published exactly once whatever crashes. SQLite gives ids in commit order (one writer at
 * a time), so no row is passed over. A new database starts from its newest rows: history
 * from before is not replayed.
 */
export class HistoryTap {
  constructor(
    private readonly history: History,
    private readonly store: OutboxStore,
    private readonly enqueue: (event: PublishedEvent) => number,
  ) {
    for (const [name, source] of Object.entries(SOURCES)) {
      if (this.store.cursor(name) === undefined) this.store.setCursor(name, (history.sqlite.query(source.max).get() as { id: number }).id);
    }
  }

  /**
   * Publishes rows added since the last round, at most `limit` per table, in the order
   * they happened (a decision before the end of the IVR call it was made in); returns how
   * many events were stored.
   */
  poll(limit = 500): number {
    const events: PublishedEvent[] = [];
    const cursors: Array<[string, number]> = [];
    for (const [name, source] of Object.entries(SOURCES)) {
      const rows = this.history.sqlite.query(source.rows).all(this.store.cursor(name) ?? 0, limit) as Array<Record<string, unknown>>;
      if (!rows.length) continue;
      cursors.push([name, rows.at(-1)!.id as number]);
      for (const row of rows) {
        const event = source.event(row);
        if (event) events.push(event);
      }
    }
    if (!cursors.length) return 0;
    events.sort((a, b) => a.at - b.at);
    let stored = 0;
    this.history.sqlite.transaction(() => {
      for (const event of events) stored += this.enqueue(event);
      for (const [name, id] of cursors) this.store.setCursor(name, id);
    })();
    return stored;
  }
}
