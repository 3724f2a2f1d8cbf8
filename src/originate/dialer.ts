import { AmiConnectionError, AmiResponseError } from "../ami/errors.ts";
import type { ActionFields, AmiMessage } from "../ami/message.ts";
import { isBusyError } from "../history/db.ts";
import type { Logger } from "../log.ts";
import type { Tracker } from "../tracking/tracker.ts";
import { originateAction } from "./action.ts";
import type { DoNotCall } from "./dnc.ts";
import { type Announcement, DialAnnouncer, type DialEventType, NO_OUTBOX, type OutboundOutbox } from "./events.ts";
import { Flights } from "./flights.ts";
import { type BusinessHours, openAt } from "./hours.ts";
import { campaignKey, Limits, limitKeys, trunkKey } from "./limits.ts";
import { checkNumber } from "./numbers.ts";
import { DEFAULTS, type Outbound } from "./settings.ts";
import type { DialChange, DialStore, NewDial } from "./store.ts";
import type { Dial, DialState, Outcome } from "./types.ts";
import { PendingWrites } from "./writes.ts";

/** What the dialer needs of the AMI connection. */
export interface AmiLink {
  send(fields: ActionFields): Promise<AmiMessage>;
  connected(): boolean;
  /** When the tracker last applied a CoreShowChannels snapshot (null: not yet since start). */
  lastResyncAt(): number | null;
  /** Every event as it is read (before the tracker applies it); returns the unsubscribe. */
  onEvent(listener: (message: AmiMessage) => void): () => void;
}

/** Which campaigns may dial now, and a word when one may have finished. */
export interface CampaignRuns {
  running(): readonly string[];
  maybeDone(name: string): void;
}

export interface DialerOptions {
  store: DialStore;
  dnc: DoNotCall;
  tracker: Tracker;
  ami: AmiLink;
  outbound: () => Outbound | undefined;
  hours: BusinessHours;
  campaigns: CampaignRuns;
  log: Logger;
  clock?: () => number;
  /** The outbound events for the webhooks (none: the bus only). */
  outbox?: OutboundOutbox;
}

/** With nothing due, the queue is looked at again this often (rows due later, a reconnect). */
const IDLE_MS = 1000;
/** Claims per source in one turn of the loop, so one campaign cannot hold the event loop. */
const MAX_CLAIMS_PER_TURN = 50;

/**
 * The dialer: takes due dials from the durable queue under the limits (calls in progress
 * and calls per second, per trunk and per campaign) and the schedules, claims each (written
 * before its Originate leaves), sends the Originate, and follows the call through the
 * tracker until its outcome (flights.ts). Nothing is dialled before AMI is connected and the
 * first snapshot of the PBX's channels has been applied: only then can a restart tell which
 * of the calls it had claimed are still on the PBX.
 */
export class Dialer {
  readonly flights: Flights;
  readonly limits = new Limits();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate = false;
  private stopped = false;
  private readonly writes: PendingWrites;
  private readonly clock: () => number;
  private readonly outbox: OutboundOutbox;
  private readonly announcer: DialAnnouncer;

  constructor(private readonly options: DialerOptions) {
    this.clock = options.clock ?? Date.now;
    this.outbox = options.outbox ?? NO_OUTBOX;
    this.announcer = new DialAnnouncer(options.tracker.bus, this.outbox, this.clock);
    this.writes = new PendingWrites(options.log);
    this.flights = new Flights({ ...options, clock: this.clock, dialer: this });
  }

  start(): void {
    for (const { trunk, campaign, n } of this.options.store.inFlightCounts()) {
      this.limits.add(trunkKey(trunk), n);
      if (campaign) this.limits.add(campaignKey(campaign), n);
    }
    for (const { id, trunk } of this.options.store.waitingApi(this.clock())) this.limits.wait(trunk, id);
    this.flights.recover(this.options.store.inFlight());
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.flights.stop();
  }

  /** Queues a dial (one SQLite insert); it goes as soon as the limits and its schedule allow. */
  enqueue(dial: NewDial): Dial {
    const now = this.clock();
    let news: Announcement | undefined;
    const row = this.outbox.withWrite(
      dial.id,
      () => this.options.store.insert(dial, now) as Dial,
      (inserted) => (news = this.announcer.take("originate.queued", inserted))?.stored ?? [],
    );
    this.announcer.tell(news);
    // One for later is found by the queue's regular look (at most a second late).
    if (row.notBefore <= now) {
      if (row.campaign === null) this.limits.wait(row.trunk, row.id);
      this.wake();
    }
    return row;
  }

  /** Looks at the queue at once (a new dial, a campaign started, a call ended). */
  wake(): void {
    if (this.stopped || this.immediate) return;
    this.immediate = true;
    clearTimeout(this.timer);
    setImmediate(() => {
      this.immediate = false;
      this.pump();
    });
  }

  /** Whether calls may be placed now (and if not, why). */
  readiness(): { ready: true } | { ready: false; reason: string } {
    const { ami } = this.options;
    if (!ami.connected()) return { ready: false, reason: "AMI is not connected" };
    if (ami.lastResyncAt() === null) return { ready: false, reason: "waiting for the first snapshot of the PBX's channels" };
    if (!this.flights.recovered) return { ready: false, reason: "finding the calls of before the restart" };
    return { ready: true };
  }

  /** The event of a change kept in memory only (dialing, ringing): on the bus now, to the outbox soon after. */
  emit(type: DialEventType, dial: Dial): void {
    const news = this.announcer.take(type, dial);
    for (const event of news?.stored ?? []) this.outbox.publish(event);
    this.announcer.tell(news);
  }

  /** A campaign menu's key did something (raised its event, opted the number out): `write` and campaign.action together, behind the dial's earlier writes. */
  keyAction(dial: Dial, action: { key: string; action: string; event?: string }, write: () => void = () => {}): void {
    this.writeAnnounced(dial.id, write, this.announcer.keyAction(dial, action));
  }

  /** A write for a dial and its event: one transaction, kept to retry in order while the database is locked; then the bus. */
  private writeAnnounced(id: string, write: () => void, news: Announcement | undefined): void {
    this.persist(() => this.outbox.withWrite(id, write, () => news?.stored ?? []));
    this.announcer.tell(news);
  }

  /** A write to the queue; if the database is locked by another process it is retried (in order), never lost. */
  persist(write: () => void): void {
    this.writes.write(write);
  }

  /** A written change, and its event (if any) in the same transaction; then the bus. */
  change(dial: Dial, change: DialChange, from?: readonly DialState[], announce?: { type: DialEventType; retryAt?: number }): void {
    Object.assign(dial, change, { updatedAt: this.clock() });
    const news = announce && this.announcer.take(announce.type, dial, announce.retryAt);
    this.writeAnnounced(dial.id, () => void this.options.store.change(dial.id, change, this.clock(), from), news);
  }

  /**
   * A change kept in memory only (dialing, ringing, the OriginateResponse hint): written with
   * the dial's next written change. A restart needs only claimed, answered and done, and
   * every write costs (each touches the table and its indexes), so a dial is written three
   * times, not six.
   */
  remember(dial: Dial, change: DialChange): void {
    Object.assign(dial, change, { updatedAt: this.clock() });
  }

  private later(ms: number): void {
    if (this.stopped || this.immediate) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), Math.max(0, Math.min(ms, IDLE_MS)));
  }

  private pump(): void {
    if (this.stopped) return;
    const now = this.clock();
    try {
      this.flights.sweepAfterResync();
      const outbound = this.options.outbound();
      if (!outbound || !this.writes.flush() || !this.readiness().ready) return this.later(outbound ? 250 : IDLE_MS);
      let wakeAt = now + IDLE_MS;
      wakeAt = Math.min(wakeAt, this.drain(null, outbound, now));
      for (const name of this.options.campaigns.running()) wakeAt = Math.min(wakeAt, this.drain(name, outbound, now));
      if (wakeAt <= now) this.wake();
      else this.later(wakeAt - this.clock());
    } catch (error) {
      if (isBusyError(error)) return this.later(100);
      this.options.log.error(`outbound: the dialer failed: ${(error as Error).stack ?? error}`);
      this.later(IDLE_MS);
    }
  }

  /** Claims and sends what is due from one source (null: the API's dials); returns when to look again. */
  private drain(campaign: string | null, outbound: Outbound, now: number): number {
    let wakeAt = Number.POSITIVE_INFINITY;
    for (let n = 0; n < MAX_CLAIMS_PER_TURN; n++) {
      const gate = this.gates(campaign, outbound, now);
      if (gate.trunks.length === 0) return Math.min(wakeAt, gate.at);
      const dial = this.options.store.claimNext(campaign, gate.trunks, now) as Dial | undefined;
      if (!dial) return Math.min(wakeAt, gate.at, this.options.store.nextDue(campaign) ?? Number.POSITIVE_INFINITY);
      this.limits.unwait(dial.trunk, dial.id);
      this.launch(dial, outbound, now);
      wakeAt = now;
    }
    return now;
  }

  /** The trunks a source may dial through now, or when one of them (or its campaign) opens. */
  private gates(campaign: string | null, outbound: Outbound, now: number): { trunks: string[]; at: number } {
    let at = Number.POSITIVE_INFINITY;
    let names = Object.keys(outbound.settings.trunks);
    if (campaign !== null) {
      const settings = outbound.campaign(campaign);
      if (!settings) return { trunks: [], at };
      const when = openAt(this.options.hours, settings.schedule, now);
      if (when === undefined) return { trunks: [], at };
      if (when > now) return { trunks: [], at: when };
      const gate = this.limits.gate(campaignKey(campaign), settings.concurrency ?? DEFAULTS.campaignConcurrency, settings.calls_per_second ?? DEFAULTS.campaignCallsPerSecond, now);
      if (!gate.open) return { trunks: [], at: gate.at };
      names = [outbound.campaignTrunk(campaign)];
    }
    const open: string[] = [];
    for (const name of names) {
      const trunk = outbound.trunk(name);
      if (!trunk) continue;
      const gate = this.limits.gate(trunkKey(name), trunk.max_concurrent ?? DEFAULTS.trunkMaxConcurrent, trunk.calls_per_second ?? DEFAULTS.trunkCallsPerSecond, now);
      if (gate.open) open.push(name);
      else at = Math.min(at, gate.at);
    }
    return { trunks: open, at };
  }

  /** One claimed dial: the last checks (do-not-call, schedule, number rules), then its Originate. */
  private launch(dial: Dial, outbound: Outbound, now: number): void {
    const { store, dnc } = this.options;
    // Checked again at every attempt: an opt-out or a config change since it was queued counts.
    if (dnc.blocks(dial.number)) return this.refuse(dial, `${dial.number} is on the do-not-call list`);
    const checked = checkNumber(dial.number, outbound.numberRules(dial.enterprise));
    if (!checked.ok) return this.refuse(dial, checked.reason);
    const schedule = dial.schedule ?? (dial.menu ? outbound.campaign(dial.menu)?.schedule : undefined);
    const when = openAt(this.options.hours, schedule, now);
    if (when === undefined) return this.refuse(dial, `schedule ${schedule} never opens again`);
    if (when > now) {
      // Not dialled: back in the queue until the office opens.
      this.persist(() => void store.requeueClaimed(dial.id, when, now));
      return;
    }
    const callerId = dial.menu ? outbound.campaign(dial.menu)?.caller_id : undefined;
    const action = originateAction(dial, outbound, callerId);
    if ("error" in action) return this.refuse(dial, action.error);
    const keys = limitKeys(dial);
    this.limits.start(keys, now);
    const flight = this.flights.add(dial, keys);
    this.emit("originate.dialing", dial);
    this.options.ami.send(action.fields).then(
      (response) => this.flights.accepted(flight, response),
      (error: Error) => {
        if (error instanceof AmiResponseError) return this.flights.finish(flight, { outcome: "failed", stage: "customer", detail: `Asterisk refused the Originate: ${error.message}` });
        if (error instanceof AmiConnectionError && /not connected/.test(error.message)) {
          // Never written to the socket: the dial goes back to the queue.
          this.flights.drop(flight);
          this.persist(() => void store.requeueClaimed(dial.id, undefined, this.clock()));
          if (dial.campaign === null) this.limits.wait(dial.trunk, dial.id);
          this.wake();
          return;
        }
        // Sent, but no answer (a timeout, the connection lost): the tracker or the next snapshot will tell.
        this.options.log.warn(`outbound ${dial.id}: ${error.message}; the call is followed from the PBX's events`);
      },
    );
  }

  /** Not dialled: the attempt does not count. */
  private refuse(dial: Dial, detail: string): void {
    this.options.log.info(`outbound ${dial.id}: not dialled: ${detail}`);
    const at = this.clock();
    Object.assign(dial, { state: "done", outcome: "refused", stage: "customer", detail, endedAt: at, attempt: dial.attempt - 1 });
    this.writeAnnounced(dial.id, () => void this.options.store.refuseClaimed(dial.id, detail, at), this.announcer.take("originate.ended", dial));
    if (dial.campaign) this.options.campaigns.maybeDone(dial.campaign);
  }

  /** A queued dial ends without a call (refused, cancelled). */
  finishQueued(dial: Dial, outcome: Outcome, detail: string): boolean {
    const at = this.clock();
    const ended = { state: "done", outcome, stage: "customer", detail, endedAt: at } as const;
    const news = this.announcer.take("originate.ended", { ...dial, ...ended });
    const changed = this.outbox.withWrite(dial.id, () => this.options.store.change(dial.id, ended, at, ["queued"]), (done) => (done ? (news?.stored ?? []) : []));
    if (!changed) return false;
    this.limits.unwait(dial.trunk, dial.id);
    Object.assign(dial, ended);
    this.announcer.tell(news);
    if (dial.campaign) this.options.campaigns.maybeDone(dial.campaign);
    return true;
  }

  /** Cancels a dial: a queued one is done at once; one in flight is hung up (its outcome follows from the call). */
  cancel(dial: Dial): "cancelled" | "hanging-up" | "finished" {
    if (dial.state === "done") return "finished";
    if (dial.state === "queued") return this.finishQueued(dial, "cancelled", "cancelled before it was dialled") ? "cancelled" : "finished";
    return this.flights.cancel(dial.callId ?? dial.id) ? "hanging-up" : "finished";
  }
}
