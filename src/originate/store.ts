import type { Statement } from "bun:sqlite";
import type { History } from "../history/db.ts";
import { type Dial, type DialState, IN_FLIGHT, type Kind, type Outcome } from "./types.ts";

/** A dial as it is queued: what to call, for whom, not before when. */
export interface NewDial {
  id: string;
  kind: Kind;
  campaign: string | null;
  client: string;
  enterprise: string | null;
  number: string;
  numberRaw: string | null;
  extension: string | null;
  queue: string | null;
  menu: string | null;
  trunk: string;
  schedule: string | null;
  data: string | null;
  notBefore: number;
}

/** Fields a transition may set. */
export type DialChange = Partial<Pick<Dial, "state" | "notBefore" | "acceptedAt" | "answeredAt" | "endedAt" | "outcome" | "stage" | "detail" | "hint" | "keys">>;

const COLUMNS = `seq, id, kind, campaign, client, enterprise, number, number_raw AS numberRaw, extension, queue, menu, trunk, schedule, data, state, attempt,
  call_id AS callId, not_before AS notBefore, created_at AS createdAt, updated_at AS updatedAt, claimed_at AS claimedAt, accepted_at AS acceptedAt,
  answered_at AS answeredAt, ended_at AS endedAt, outcome, stage, detail, hint, keys`;

const CHANGE_COLUMNS: Record<keyof DialChange, string> = {
  state: "state",
  notBefore: "not_before",
  acceptedAt: "accepted_at",
  answeredAt: "answered_at",
  endedAt: "ended_at",
  outcome: "outcome",
  stage: "stage",
  detail: "detail",
  hint: "hint",
  keys: "keys",
};

export interface CampaignCounts {
  /** Numbers by state (queued includes those waiting for a retry). */
  states: Record<DialState, number>;
  /** Numbers by their last outcome (done, or waiting for a retry). */
  outcomes: Partial<Record<Outcome, number>>;
  numbers: number;
  /** Attempts placed (an Originate sent, or about to be). */
  dialed: number;
}

/**
 * The durable queue of dials, in the history database (migration 0004). The dialer takes
 * the next due row with one UPDATE ... RETURNING (claim), so what it is about to dial is
 * written before the Originate leaves: after a crash, every row past `queued` is a call
 * that may exist. Statements are prepared once; every method is one statement (or one
 * transaction), so a crash leaves each row in one state or the other.
 */
export class DialStore {
  private readonly statements: Record<string, Statement> = {};
  private readonly changeStatements = new Map<string, Statement>();

  constructor(readonly history: History) {}

  private statement(sql: string): Statement {
    return (this.statements[sql] ??= this.history.sqlite.prepare(sql));
  }

  insert(dial: NewDial, now = Date.now()): Dial {
    return this.statement(
      `INSERT INTO outbound_dials (id, kind, campaign, client, enterprise, number, number_raw, extension, queue, menu, trunk, schedule, data, state, not_before, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?) RETURNING ${COLUMNS}`,
    ).get(dial.id, dial.kind, dial.campaign, dial.client, dial.enterprise, dial.number, dial.numberRaw, dial.extension, dial.queue, dial.menu, dial.trunk, dial.schedule, dial.data, dial.notBefore, now, now) as Dial;
  }

  /** Many at once (a campaign's list), in one transaction: all or none. */
  insertMany(dials: readonly NewDial[], now = Date.now()): void {
    this.history.sqlite.transaction(() => {
      for (const dial of dials) this.insert(dial, now);
    })();
  }

  get(id: string): Dial | undefined {
    return (this.statement(`SELECT ${COLUMNS} FROM outbound_dials WHERE id = ?`).get(id) as Dial | null) ?? undefined;
  }

  /** The dial a call id (the dial's id, or id.N for attempt N) belongs to. */
  byCallId(callId: string): Dial | undefined {
    const dial = this.get(callId.replace(/\.\d+$/, ""));
    return dial?.callId === callId ? dial : undefined;
  }

  /**
   * Takes the next due dial of a campaign (null: the API's) on one of `trunks`: state
   * claimed, the next attempt, its call id. Undefined when nothing is due.
   */
  claimNext(campaign: string | null, trunks: readonly string[], now: number): Dial | undefined {
    if (trunks.length === 0) return undefined;
    // ?1 now, ?2 the campaign, ?3... the trunks.
    const sql = `UPDATE outbound_dials SET state = 'claimed', attempt = attempt + 1,
        call_id = CASE WHEN attempt = 0 THEN id ELSE id || '.' || (attempt + 1) END, claimed_at = ?1, updated_at = ?1,
        accepted_at = NULL, answered_at = NULL, ended_at = NULL, hint = NULL
      WHERE seq = (SELECT seq FROM outbound_dials WHERE campaign IS ?2 AND state = 'queued' AND not_before <= ?1
        AND trunk IN (${trunks.map((_, i) => `?${i + 3}`).join(",")}) ORDER BY not_before, seq LIMIT 1)
      RETURNING ${COLUMNS}`;
    return (this.statement(sql).get(now, campaign, ...trunks) as Dial | null) ?? undefined;
  }

  /** API dials due now and not yet taken (counted against their trunk's limit after a restart). */
  waitingApi(now: number): Array<{ id: string; trunk: string }> {
    return this.statement("SELECT id, trunk FROM outbound_dials WHERE campaign IS NULL AND state = 'queued' AND not_before <= ?").all(now) as Array<{ id: string; trunk: string }>;
  }

  /** When the next queued dial of a campaign (null: the API's) falls due, if any. */
  nextDue(campaign: string | null): number | undefined {
    const row = this.statement("SELECT min(not_before) AS at FROM outbound_dials WHERE campaign IS ? AND state = 'queued'").get(campaign) as { at: number | null };
    return row.at ?? undefined;
  }

  /** Applies a change; `from` guards the transition (false when the row was no longer in one of those states). */
  change(id: string, change: DialChange, now = Date.now(), from?: readonly DialState[]): boolean {
    const keys = Object.keys(change) as Array<keyof DialChange>;
    const guard = from ? ` AND state IN (${from.map((s) => `'${s}'`).join(",")})` : "";
    const sql = `UPDATE outbound_dials SET ${keys.map((k) => `${CHANGE_COLUMNS[k]} = ?`).join(", ")}, updated_at = ? WHERE id = ?${guard}`;
    let statement = this.changeStatements.get(sql);
    if (!statement) this.changeStatements.set(sql, (statement = this.history.sqlite.prepare(sql)));
    return statement.run(...keys.map((k) => change[k] ?? null), now, id).changes > 0;
  }

  /** A claimed dial that was not dialled after all (not connected, outside its hours): back to the queue, the attempt not counted. */
  requeueClaimed(id: string, notBefore: number | undefined, now = Date.now()): boolean {
    return (
      this.statement(
        "UPDATE outbound_dials SET state = 'queued', attempt = attempt - 1, call_id = NULL, claimed_at = NULL, not_before = coalesce(?, not_before), updated_at = ? WHERE id = ? AND state = 'claimed'",
      ).run(notBefore ?? null, now, id).changes > 0
    );
  }

  /** A claimed dial refused at the last check (do-not-call, number rules): done, the attempt not counted. */
  refuseClaimed(id: string, detail: string, now = Date.now()): boolean {
    return (
      this.statement(
        "UPDATE outbound_dials SET state = 'done', outcome = 'refused', stage = 'customer', detail = ?1, attempt = attempt - 1, call_id = NULL, ended_at = ?2, updated_at = ?2 WHERE id = ?3 AND state = 'claimed'",
      ).run(detail, now, id).changes > 0
    );
  }

  /** Every dial that may have a call on the PBX: what a restart must find again. */
  inFlight(): Dial[] {
    return this.statement(`SELECT ${COLUMNS} FROM outbound_dials WHERE state IN (${IN_FLIGHT.map((s) => `'${s}'`).join(",")}) ORDER BY seq`).all() as Dial[];
  }

  /** Queued dials of a campaign: cancelled in one statement. Returns how many. */
  cancelQueued(campaign: string, now = Date.now()): number {
    return this.statement("UPDATE outbound_dials SET state = 'done', outcome = 'cancelled', detail = 'the campaign was cancelled', ended_at = ?1, updated_at = ?1 WHERE campaign = ?2 AND state = 'queued'").run(now, campaign).changes;
  }

  /** Whether a campaign already has this number (an upload does not add it twice). */
  campaignHas(campaign: string, number: string): boolean {
    return this.statement("SELECT 1 AS found FROM outbound_dials WHERE campaign = ? AND number = ? AND campaign IS NOT NULL LIMIT 1").get(campaign, number) !== null;
  }

  campaignCounts(campaign: string): CampaignCounts {
    const rows = this.statement("SELECT state, outcome, count(*) AS n, sum(attempt) AS dialed FROM outbound_dials WHERE campaign = ? GROUP BY state, outcome").all(campaign) as Array<{ state: DialState; outcome: Outcome | null; n: number; dialed: number }>;
    const counts: CampaignCounts = { states: { queued: 0, claimed: 0, dialing: 0, ringing: 0, answered: 0, done: 0 }, outcomes: {}, numbers: 0, dialed: 0 };
    for (const row of rows) {
      counts.states[row.state] += row.n;
      counts.numbers += row.n;
      counts.dialed += row.dialed;
      if (row.outcome) counts.outcomes[row.outcome] = (counts.outcomes[row.outcome] ?? 0) + row.n;
    }
    return counts;
  }

  /** Key presses of a campaign's menu, by action. */
  actionCounts(campaign: string): Record<string, number> {
    const rows = this.statement("SELECT action, count(*) AS n FROM outbound_keys WHERE campaign = ? GROUP BY action").all(campaign) as Array<{ action: string; n: number }>;
    return Object.fromEntries(rows.map((row) => [row.action, row.n]));
  }

  recordKey(entry: { dialId: string; callId: string; campaign: string | null; at: number; key: string; action: string }): void {
    this.statement("INSERT INTO outbound_keys (dial_id, call_id, campaign, at, key, action) VALUES (?, ?, ?, ?, ?, ?)").run(entry.dialId, entry.callId, entry.campaign, entry.at, entry.key, entry.action);
  }

  keysOf(dialId: string): Array<{ callId: string; at: number; key: string; action: string }> {
    return this.statement("SELECT call_id AS callId, at, key, action FROM outbound_keys WHERE dial_id = ? ORDER BY id").all(dialId) as Array<{ callId: string; at: number; key: string; action: string }>;
  }

  /** Whether a campaign has a dial not yet done (one index seek per state, not a count of its numbers). */
  campaignOpen(campaign: string): boolean {
    return this.statement(`SELECT 1 AS found FROM outbound_dials WHERE campaign = ? AND state IN ('queued', ${IN_FLIGHT.map((s) => `'${s}'`).join(", ")}) LIMIT 1`).get(campaign) !== null;
  }

  /** In flight per trunk and per campaign, for the limits after a restart. */
  inFlightCounts(): Array<{ trunk: string; campaign: string | null; n: number }> {
    return this.statement(`SELECT trunk, campaign, count(*) AS n FROM outbound_dials WHERE state IN (${IN_FLIGHT.map((s) => `'${s}'`).join(",")}) GROUP BY trunk, campaign`).all() as Array<{
      trunk: string;
      campaign: string | null;
      n: number;
    }>;
  }
}
