import { getTableName } from "drizzle-orm";
import type { IvrConfig } from "../config/schema.ts";
import type { History } from "../history/db.ts";
import { mergeTrackedIntoIvr } from "../history/migrations.ts";
import { normalizePhone } from "../history/phone.ts";
import { perDatabase, prepareInsert } from "../history/prepared.ts";
import { callChannels, callLegs, calls, callTransfers, type NewCallLegRow, type NewCallRow, type NewCallTransferRow } from "../history/schema.ts";
import type { Logger } from "../log.ts";
import { countryOf } from "./country.ts";
import type { CallSummary, LegSummary, TransferSummary } from "./summary.ts";

/** Who an internal extension belongs to (the Smart Redirect users), for "who answered". */
export type UserLookup = (extension: string) => { id: number; name?: string } | undefined;

/** The history row for a call AMI saw. Numbers in E.164 with the country of the call's DID (see countryOf). */
export function trackedCallRow(call: CallSummary, config: IvrConfig, userFor: UserLookup): NewCallRow {
  const user = call.answeredExtension ? userFor(call.answeredExtension) : undefined;
  const route = call.queue ? { kind: "queue", to: call.queue } : call.answeredExtension && call.direction !== "outbound" ? { kind: "extension", to: call.answeredExtension } : undefined;
  return {
    uniqueid: call.uniqueid,
    linkedid: call.linkedid,
    source: "ami",
    direction: call.direction,
    startedAt: call.startedAt,
    endedAt: call.endedAt,
    externalNumber: normalizePhone(call.externalNumber ?? undefined, countryOf(config, call.did)) ?? null,
    externalNumberRaw: call.externalNumber,
    callerName: call.callerName,
    did: call.did,
    routeKind: route?.kind ?? null,
    destination: route?.to ?? null,
    status: call.status ?? "failed",
    answeredBy: call.answeredBy,
    answeredExtension: call.answeredExtension,
    waitSeconds: call.waitSeconds,
    talkSeconds: call.talkSeconds,
    line: call.line,
    ringingAt: call.ringingAt,
    answeredAt: call.answeredAt,
    callerExtension: call.callerExtension,
    answeredUserId: user?.id ?? null,
    answeredUser: user ? (user.name ?? `user ${user.id}`) : null,
    queue: call.queue,
    queueJoinedAt: call.queueJoinedAt,
    hangupCause: call.hangupCause,
    hangupCauseText: call.hangupCauseText,
    tracked: true,
    gap: call.gap,
  };
}

/** A leg as the history stores it (without its call id). */
export function legRow(leg: LegSummary, position: number): Omit<NewCallLegRow, "callId"> {
  return {
    position,
    uniqueid: leg.uniqueid,
    channel: leg.channel,
    endpoint: leg.endpoint,
    role: leg.role,
    trunk: leg.trunk,
    number: leg.number,
    name: leg.name,
    queue: leg.queue,
    member: leg.member,
    via: leg.via,
    ringAt: leg.ringAt,
    answeredAt: leg.answeredAt,
    endedAt: leg.endedAt,
    ringSeconds: leg.ringSeconds,
    talkSeconds: leg.talkSeconds,
    dialStatus: leg.dialStatus,
    hangupCause: leg.cause,
  };
}

export function transferRow(t: TransferSummary): Omit<NewCallTransferRow, "callId"> {
  return { at: t.at, kind: t.kind, result: t.result, fromParty: t.from, transferee: t.transferee, toParty: t.to, destination: t.destination, method: t.method };
}

/**
 * Writes one ended call with its legs, transfers and channels, in one transaction. If the
 * IVR already recorded it (one of its channels ran the IVR), AMI's record is merged into the
 * IVR's row, which keeps its id: one call, not two. (The other order, the IVR writing after
 * us, is handled by a trigger in the database with the same rule.) Returns the call's id.
 */
export function writeTrackedCall(history: History, call: CallSummary, row: NewCallRow): number {
  const { sqlite } = history;
  const sql = statements(history);
  return sqlite.transaction(() => {
    const id = (sql.call.get(...sql.callValues(row)) as { id: number }).id;
    call.legs.forEach((leg, position) => sql.leg.run(...sql.legValues({ callId: id, ...legRow(leg, position) })));
    for (const t of call.transfers) sql.transfer.run(...sql.transferValues({ callId: id, ...transferRow(t) }));
    for (const uniqueid of call.uniqueids) sql.channel.run(uniqueid, id);
    const marks = call.uniqueids.map(() => "?").join(",");
    const ivr = sqlite.query(`SELECT id, uniqueid FROM calls WHERE source = 'ivr' AND tracked = 0 AND uniqueid IN (${marks}) ORDER BY id LIMIT 1`).get(...call.uniqueids) as
      | { id: number; uniqueid: string }
      | null;
    if (!ivr) return id;
    sqlite.run(mergeTrackedIntoIvr(String(ivr.id), `'${ivr.uniqueid.replace(/'/g, "''")}'`));
    return ivr.id;
  })();
}

/** The tracked call's statements, prepared once per database (see history/prepared.ts). */
const statements = perDatabase((history) => {
  const call = prepareInsert(history, calls, "RETURNING id");
  const leg = prepareInsert(history, callLegs);
  const transfer = prepareInsert(history, callTransfers);
  return {
    call: call.statement,
    callValues: call.values,
    leg: leg.statement,
    legValues: leg.values,
    transfer: transfer.statement,
    transferValues: transfer.values,
    channel: history.sqlite.prepare(`INSERT INTO ${getTableName(callChannels)} (uniqueid, call_id) VALUES (?, ?) ON CONFLICT (uniqueid) DO UPDATE SET call_id = excluded.call_id`),
  };
});

/** What leaves the product because a call ended (the outbox): stored in the transaction that records the call. */
export interface CallOutbox {
  /** Inside that transaction; returns what `written` is told once it committed. */
  withCall(call: CallSummary, id: number): number;
  written(call: CallSummary, stored: number): void;
}

/**
 * Ended calls, written off the event path: bun:sqlite is synchronous, and a write waiting
 * for another process's lock must not stall the tracker. Calls are queued and written
 * together every few milliseconds; on SQLITE_BUSY they are kept for the next try. Bounded:
 * past `maxPending` the oldest are dropped, loudly.
 */
export class TrackedCallWriter {
  private queue: CallSummary[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busySince: number | undefined;
  written = 0;

  constructor(
    private readonly history: History,
    private readonly log: Logger,
    private readonly rowFor: (call: CallSummary) => NewCallRow,
    private readonly options: { flushMs?: number; maxPending?: number; onWritten?: (call: CallSummary, id: number) => void; outbox?: CallOutbox } = {},
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  add(call: CallSummary): void {
    this.queue.push(call);
    const excess = this.queue.length - (this.options.maxPending ?? 20_000);
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.log.error(`tracked calls: history queue full, dropped the ${excess} oldest calls`);
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.options.flushMs ?? 25);
      this.timer.unref?.();
    }
  }

  /** Writes what is queued now, in one transaction (each call in its own savepoint); returns how many. */
  flush(): number {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (!batch.length) return 0;
    this.queue = [];
    const written: Array<[CallSummary, number, number]> = [];
    const { outbox } = this.options;
    try {
      this.history.sqlite.transaction(() => {
        for (const call of batch) {
          try {
            // The call and what goes out because of it (webhooks, CRM): one savepoint, all or nothing.
            written.push(
              this.history.sqlite.transaction(() => {
                const id = writeTrackedCall(this.history, call, this.rowFor(call));
                return [call, id, outbox?.withCall(call, id) ?? 0] as [CallSummary, number, number];
              })(),
            );
          } catch (error) {
            if (isBusy(error)) throw error;
            this.log.error(`tracked call ${call.id} not recorded: ${(error as Error).message}`);
          }
        }
      })();
    } catch (error) {
      if (!isBusy(error)) {
        this.log.error(`tracked calls: ${batch.length} calls not recorded: ${(error as Error).message}`);
        return 0;
      }
      if (this.busySince === undefined) {
        this.busySince = Date.now();
        this.log.warn("tracked calls: history busy (another process is writing); keeping calls to retry");
      }
      this.queue = batch.concat(this.queue);
      this.timer = setTimeout(() => this.flush(), 100);
      this.timer.unref?.();
      return 0;
    }
    if (this.busySince !== undefined) this.log.info(`tracked calls: history writable again after ${Date.now() - this.busySince} ms`);
    this.busySince = undefined;
    this.written += written.length;
    for (const [call, id, sent] of written) {
      outbox?.written(call, sent);
      this.options.onWritten?.(call, id);
    }
    return written.length;
  }
}

function isBusy(error: unknown): boolean {
  return /SQLITE_BUSY|database is locked/i.test(String((error as Error)?.message ?? error));
}
