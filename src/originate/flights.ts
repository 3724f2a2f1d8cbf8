import type { AmiMessage } from "../ami/message.ts";
import type { Logger } from "../log.ts";
import type { Tracker } from "../tracking/tracker.ts";
import type { CallRec } from "../tracking/types.ts";
import type { AmiLink, CampaignRuns, Dialer } from "./dialer.ts";
import { limitKeys } from "./limits.ts";
import { type DialOutcome, dialOutcome, hintOutcome, type OriginateHint } from "./outcome.ts";
import { retryDelay } from "./retry.ts";
import type { Outbound } from "./settings.ts";
import type { DialStore } from "./store.ts";
import { type Dial, type DialState, otherChannelId } from "./types.ts";

/** One dial whose call may be on the PBX. */
export interface Flight {
  dial: Dial;
  callId: string;
  /** The limits it counts against (trunk, campaign). */
  keys: readonly string[];
  actionId?: string;
  hint?: OriginateHint;
  /** The tracker has seen one of its channels. */
  seen: boolean;
  /** ivr hung it up (a cancel). */
  cancelled: boolean;
  /** Claimed before this process started: found again (or not) in the first snapshot. */
  recovering: boolean;
}

export interface FlightsOptions {
  store: DialStore;
  tracker: Tracker;
  ami: AmiLink;
  campaigns: CampaignRuns;
  outbound: () => Outbound | undefined;
  log: Logger;
  clock: () => number;
  dialer: Dialer;
}

/** A call placed no longer ago than this is not judged lost by a snapshot (it may have raced it). */
const SNAPSHOT_GRACE_MS = 10_000;
/** A call never seen this long after its ring timeout is lost (no event, no snapshot will come for it). */
const NEVER_SEEN_MS = 60_000;
const EARLY_HINTS_MAX = 1000;

const ringingFrom: readonly DialState[] = ["claimed", "dialing"];
const answeredFrom: readonly DialState[] = ["claimed", "dialing", "ringing"];

/**
 * The dials in progress, followed through the tracker: a call is ours when one of its
 * Linkedids (or channels) is a call id we gave with ChannelId. Ringing and answered are
 * written as they happen; the outcome is decided when the tracked call ends (dialOutcome),
 * OriginateResponse being only a hint, except when Asterisk created no channel at all.
 * After a snapshot of the PBX's channels, a dial claimed earlier whose call is not there is
 * lost from sight: it is closed as `unknown` (or `answered`, if it was), never dialled again.
 */
export class Flights {
  private readonly byCall = new Map<string, Flight>();
  private readonly byAction = new Map<string, Flight>();
  /** OriginateResponses that came before the response to their Originate (by ActionID). */
  private readonly early = new Map<string, OriginateHint>();
  private readonly offs: Array<() => void> = [];
  private lastSweep: number | null = null;
  private lastSilentCheck = 0;
  /** The dials of before the restart have been found, or closed. */
  recovered = false;

  constructor(private readonly options: FlightsOptions) {
    const bus = options.tracker.bus;
    this.offs.push(
      bus.on("call.started", ({ call }) => this.onStarted(call)),
      bus.on("call.ringing", ({ call }) => this.onProgress(call, "ringing")),
      bus.on("call.answered", ({ call }) => this.onProgress(call, "answered")),
      bus.on("call.ended", ({ call }) => this.onEnded(call)),
      bus.on("originate", (event) => this.onOriginateResponse(event)),
      options.ami.onEvent((message) => {
        if (message.event === "DialEnd") this.onDialEnd(message);
      }),
    );
  }

  get size(): number {
    return this.byCall.size;
  }

  stop(): void {
    for (const off of this.offs) off();
  }

  recover(dials: readonly Dial[]): void {
    for (const dial of dials) {
      const callId = dial.callId ?? dial.id;
      this.byCall.set(callId, { dial, callId, keys: limitKeys(dial), seen: false, cancelled: false, recovering: true });
    }
    if (dials.length) this.options.log.info(`outbound: ${dials.length} dials were in progress before the restart: looking for their calls on the PBX`);
    else this.recovered = true;
  }

  add(dial: Dial, keys: readonly string[]): Flight {
    const flight: Flight = { dial, callId: dial.callId ?? dial.id, keys, seen: false, cancelled: false, recovering: false };
    this.byCall.set(flight.callId, flight);
    return flight;
  }

  /** The dial a call id belongs to, in flight or not. */
  dialOf(callId: string): Dial | undefined {
    return this.byCall.get(callId)?.dial ?? this.options.store.byCallId(callId);
  }

  /** A dial as it is now: in flight, its state in memory is ahead of the one written. */
  current(dial: Dial): Dial {
    return this.byCall.get(dial.callId ?? dial.id)?.dial ?? dial;
  }

  /** Asterisk accepted the Originate (`Originate successfully queued`). */
  accepted(flight: Flight, response: AmiMessage): void {
    if (!this.byCall.has(flight.callId)) return;
    const actionId = response.get("ActionID");
    if (actionId) {
      flight.actionId = actionId;
      this.byAction.set(actionId, flight);
    }
    this.options.dialer.remember(flight.dial, { state: flight.dial.state === "claimed" ? "dialing" : flight.dial.state, acceptedAt: this.options.clock() });
    const early = actionId ? this.early.get(actionId) : undefined;
    if (early) {
      this.early.delete(actionId!);
      this.hinted(flight, early);
    }
  }

  /** Taken back before anything was sent. */
  drop(flight: Flight): void {
    this.forget(flight);
    this.options.dialer.limits.end(flight.keys);
  }

  /** The outbound script runs on the call's first leg: it answered (a callback's or a message's customer). */
  agiAnswered(callId: string): void {
    const flight = this.byCall.get(callId);
    if (flight && flight.dial.kind !== "click-to-call") this.progress(flight, "answered");
  }

  /** Hangs up a dial's call; false when it is no longer in flight. */
  cancel(callId: string): boolean {
    const flight = this.byCall.get(callId);
    if (!flight) return false;
    flight.cancelled = true;
    this.hangUp(flight);
    return true;
  }

  finish(flight: Flight, result: DialOutcome): void {
    if (this.byCall.get(flight.callId) !== flight) return;
    this.forget(flight);
    const { dialer, clock } = this.options;
    dialer.limits.end(flight.keys);
    const dial = flight.dial;
    const at = clock();
    const retry = dial.campaign ? retryDelay(this.options.outbound()?.campaign(dial.campaign), dial.attempt, result.outcome) : undefined;
    // What was only remembered so far is written now, with the outcome.
    const ended = { outcome: result.outcome, stage: result.stage, detail: result.detail, endedAt: at, acceptedAt: dial.acceptedAt, answeredAt: dial.answeredAt, hint: dial.hint };
    this.options.log.info(`outbound ${dial.id} (${dial.kind} ${dial.number}, attempt ${dial.attempt}): ${result.outcome}: ${result.detail}${retry === undefined ? "" : `; tried again in ${Math.round(retry / 1000)} s`}`);
    const announce = { type: "originate.ended", retryAt: retry === undefined ? undefined : at + retry } as const;
    dialer.change(dial, retry === undefined ? { state: "done", ...ended } : { state: "queued", notBefore: at + retry, ...ended }, undefined, announce);
    if (dial.campaign) this.options.campaigns.maybeDone(dial.campaign);
    dialer.wake();
  }

  /**
   * Once per applied snapshot (and for dials never seen long after their ring timeout):
   * dials whose call the PBX does not have are closed. The first snapshot after a start
   * settles the dials of before the restart.
   */
  sweepAfterResync(): void {
    const now = this.options.clock();
    const resyncAt = this.options.ami.lastResyncAt();
    const fresh = resyncAt !== null && resyncAt !== this.lastSweep;
    // Without a new snapshot, only the silent dials are looked for: once a second is enough.
    if (!fresh && now - this.lastSilentCheck < 1000) return;
    this.lastSilentCheck = now;
    if (fresh) this.lastSweep = resyncAt;
    const ringMs = (this.options.outbound()?.ringTimeoutSeconds ?? 30) * 1000;
    for (const flight of [...this.byCall.values()]) {
      if (this.live(flight)) {
        flight.seen = true;
        flight.recovering = false;
        continue;
      }
      const claimedAt = flight.dial.claimedAt ?? 0;
      const missed = fresh && (flight.recovering || claimedAt < resyncAt! - SNAPSHOT_GRACE_MS);
      const silent = !flight.recovering && !flight.seen && now - claimedAt > ringMs + NEVER_SEEN_MS;
      if (missed || silent) this.lost(flight);
    }
    if (fresh) this.recovered = true;
  }

  private lost(flight: Flight): void {
    const stage = flight.dial.kind === "click-to-call" && flight.dial.state !== "answered" ? "extension" : "customer";
    if (flight.dial.state === "answered") {
      return this.finish(flight, { outcome: "answered", stage: "customer", detail: "answered; the call ended while ivr was not following it (a restart or an AMI reconnect)" });
    }
    if (flight.hint) return this.finish(flight, { outcome: hintOutcome(flight.hint), stage, detail: `OriginateResponse ${flight.hint.response} reason ${flight.hint.reason}; the call itself was not seen` });
    this.options.log.warn(`outbound ${flight.dial.id}: its call (${flight.callId}) is not on the PBX and was not seen ending: closed as unknown, not dialled again`);
    this.finish(flight, { outcome: "unknown", stage, detail: "ivr lost sight of this call (it restarted, or lost AMI, while the call was being placed); it is not dialled again" });
  }

  private live(flight: Flight): boolean {
    const { tracker } = this.options;
    return tracker.channels.has(flight.callId) || tracker.channels.has(otherChannelId(flight.callId)) || tracker.byLinkedid.has(flight.callId);
  }

  private find(call: CallRec): Flight | undefined {
    if (this.byCall.size === 0) return undefined;
    for (const id of call.linkedids) {
      const flight = this.byCall.get(id);
      if (flight) return flight;
    }
    for (const leg of call.legs.values()) {
      for (const channel of leg.channels) {
        const flight = this.byCall.get(channel.uniqueid);
        if (flight) return flight;
      }
    }
    return undefined;
  }

  private onStarted(call: CallRec): void {
    const flight = this.find(call);
    if (!flight) return;
    flight.seen = true;
    if (flight.cancelled) this.hangUp(flight);
  }

  private onProgress(call: CallRec, state: "ringing" | "answered"): void {
    const flight = this.find(call);
    if (!flight) return;
    flight.seen = true;
    // Click-to-call is answered when the customer is (call.answered); the first leg's answer is not the call's.
    if (state === "answered" && flight.dial.kind !== "click-to-call") return;
    this.progress(flight, state);
  }

  private progress(flight: Flight, state: "ringing" | "answered"): void {
    const dial = flight.dial;
    if (!(state === "ringing" ? ringingFrom : answeredFrom).includes(dial.state)) return;
    // Answered is written (after a restart it tells an answered call from a lost one); ringing is only remembered.
    if (state === "answered") return this.options.dialer.change(dial, { state, answeredAt: this.options.clock() }, answeredFrom, { type: "originate.answered" });
    this.options.dialer.remember(dial, { state });
    this.options.dialer.emit("originate.ringing", dial);
  }

  /**
   * Originate's own dial of the first leg (a DialEnd with no calling channel) answered: for
   * a callback or a message, the customer picked up. The tracker does not count it as the
   * call's answer (nobody is connected yet), so it is read here, as the event arrives.
   */
  private onDialEnd(message: AmiMessage): void {
    if (this.byCall.size === 0 || message.get("Uniqueid") || message.get("DialStatus") !== "ANSWER") return;
    const flight = this.byCall.get(message.get("DestUniqueid") ?? "");
    if (!flight || flight.dial.kind === "click-to-call") return;
    // Read before the tracker has applied the DialBegin before it: it rang first.
    this.progress(flight, "ringing");
    this.progress(flight, "answered");
  }

  private onEnded(call: CallRec): void {
    const flight = this.find(call);
    if (!flight) return;
    this.finish(flight, dialOutcome(call, { kind: flight.dial.kind, callId: flight.callId, hint: flight.hint, cancelled: flight.cancelled }));
  }

  private onOriginateResponse(event: { actionId?: string; uniqueid?: string; response: string; reason: string }): void {
    const hint = { response: event.response, reason: event.reason };
    const flight = (event.actionId ? this.byAction.get(event.actionId) : undefined) ?? (event.uniqueid ? this.byCall.get(event.uniqueid) : undefined);
    if (flight) return this.hinted(flight, hint);
    if (event.actionId && this.byCall.size) {
      if (this.early.size >= EARLY_HINTS_MAX) this.early.delete(this.early.keys().next().value!);
      this.early.set(event.actionId, hint);
    }
  }

  /** The hint is kept; a Failure with no channel on the PBX (none was ever created) is final. */
  private hinted(flight: Flight, hint: OriginateHint): void {
    flight.hint = hint;
    this.options.dialer.remember(flight.dial, { hint: `${hint.response} ${hint.reason}` });
    if (hint.response === "Failure" && !this.live(flight)) {
      this.finish(flight, { outcome: hintOutcome(hint), stage: flight.dial.kind === "click-to-call" ? "extension" : "customer", detail: `OriginateResponse Failure reason ${hint.reason}, no channel was created` });
    }
  }

  private hangUp(flight: Flight): void {
    const channel = this.options.tracker.channels.get(flight.callId)?.name;
    if (!channel) return; // not on the PBX yet: hung up when its first event comes (onStarted)
    this.options.ami.send({ Action: "Hangup", Channel: channel, Cause: 16 }).catch((error: Error) => this.options.log.warn(`outbound ${flight.dial.id}: Hangup ${channel} failed: ${error.message}`));
  }

  private forget(flight: Flight): void {
    this.byCall.delete(flight.callId);
    if (flight.actionId) this.byAction.delete(flight.actionId);
  }
}
