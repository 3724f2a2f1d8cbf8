import type { History } from "../history/db.ts";
import { mergeTrackedIntoIvr } from "../history/migrations.ts";
import { normalizePhone } from "../history/phone.ts";
import { callChannels, callLegs, calls, callTransfers, type NewCallLegRow, type NewCallRow, type NewCallTransferRow } from "../history/schema.ts";
import type { Logger } from "../log.ts";
import type { CallSummary, LegSummary, TransferSummary } from "./summary.ts";

/** Who an internal extension belongs to (the Smart Redirect users), for "who answered". */
export type UserLookup = (extension: string) => { id: number; name?: string } | undefined;

/** The history row for a call AMI saw. Numbers in E.164 with the PBX's country. */
export function trackedCallRow(call: CallSummary, country: string | undefined, userFor: UserLookup): NewCallRow {
  const user = call.answeredExtension ? userFor(call.answeredExtension) : undefined;
  const route = call.queue ? { kind: "queue", to: call.queue } : call.answeredExtension && call.direction !== "outbound" ? { kind: "extension", to: call.answeredExtension } : undefined;
  return {
    uniqueid: call.uniqueid,
    linkedid: call.linkedid,
    source: "ami",
    direction: call.direction,
    startedAt: call.startedAt,
    endedAt: call.endedAt,
    externalNumber: normalizePhone(call.externalNumber ?? undefined, country) ?? null,
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
  const { db, sqlite } = history;
  return sqlite.transaction(() => {
    const id = db.insert(calls).values(row).returning({ id: calls.id }).get().id;
    if (call.legs.length) db.insert(callLegs).values(call.legs.map((leg, position) => ({ callId: id, ...legRow(leg, position) }))).run();
    if (call.transfers.length) db.insert(callTransfers).values(call.transfers.map((t) => ({ callId: id, ...transferRow(t) }))).run();
    for (const uniqueid of call.uniqueids) {
      db.insert(callChannels).values({ uniqueid, callId: id }).onConflictDoUpdate({ target: callChannels.uniqueid, set: { callId: id } }).run();
    }
    const marks = call.uniqueids.map(() => "?").join(",");
    const ivr = sqlite.query(`SELECT id, uniqueid FROM calls WHERE source = 'ivr' AND tracked = 0 AND uniqueid IN (${marks}) ORDER BY id LIMIT 1`).get(...call.uniqueids) as
      | { id: number; uniqueid: string }
      | null;
    if (!ivr) return id;
    sqlite.run(mergeTrackedIntoIvr(String(ivr.id), `'${ivr.uniqueid.replace(/'/g, "''")}'`));
    return ivr.id;
  })();
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
    private readonly options: { flushMs?: number; maxPending?: number; onWritten?: (call: CallSummary, id: number) => void } = {},
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
    const written: Array<[CallSummary, number]> = [];
    try {
      this.history.sqlite.transaction(() => {
        for (const call of batch) {
          try {
            written.push([call, writeTrackedCall(this.history, call, this.rowFor(call))]);
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
    for (const [call, id] of written) this.options.onWritten?.(call, id);
    return written.length;
  }
}

function isBusy(error: unknown): boolean {
  return /SQLITE_BUSY|database is locked/i.test(String((error as Error)?.message ?? error));
}
