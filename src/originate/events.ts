import type { PublishedEvent } from "../outbox/recorder.ts";
import type { Tracker, TrackerEvents } from "../tracking/tracker.ts";
import type { CampaignProgress } from "./campaign.ts";
import type { Dial } from "./types.ts";

/** A dial as the API, the events and the webhooks show it. */
export interface DialJson {
  id: string;
  kind: string;
  state: string;
  outcome: string | null;
  stage: string | null;
  detail: string | null;
  number: string;
  extension: string | null;
  queue: string | null;
  campaign: string | null;
  menu: string | null;
  client: string;
  enterprise: string | null;
  trunk: string;
  attempt: number;
  call_id: string | null;
  hint: string | null;
  keys: string[];
  data: unknown;
  not_before: string;
  created_at: string;
  claimed_at: string | null;
  accepted_at: string | null;
  answered_at: string | null;
  ended_at: string | null;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

function parseData(data: string | null): unknown {
  if (data === null) return null;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

export function dialJson(dial: Dial): DialJson {
  return {
    id: dial.id,
    kind: dial.kind,
    state: dial.state,
    outcome: dial.outcome,
    stage: dial.stage,
    detail: dial.detail,
    number: dial.number,
    extension: dial.extension,
    queue: dial.queue,
    campaign: dial.campaign,
    menu: dial.menu,
    client: dial.client,
    enterprise: dial.enterprise,
    trunk: dial.trunk,
    attempt: dial.attempt,
    call_id: dial.callId,
    hint: dial.hint,
    keys: dial.keys ? dial.keys.split(",") : [],
    data: parseData(dial.data),
    not_before: new Date(dial.notBefore).toISOString(),
    created_at: new Date(dial.createdAt).toISOString(),
    claimed_at: iso(dial.claimedAt),
    accepted_at: iso(dial.acceptedAt),
    answered_at: iso(dial.answeredAt),
    ended_at: iso(dial.endedAt),
  };
}

export interface OriginateEvent {
  dial: DialJson;
  at: number;
  /** originate.ended for a dial that will be tried again: when. */
  retryAt?: number;
}

export interface CampaignEvent {
  campaign: string;
  at: number;
  /** campaign.action: the key, what it did (an event name, opt_out, transfer, hangup), the dial. */
  key?: string;
  action?: string;
  event?: string;
  dial?: DialJson;
}

/**
 * The outbound events, on the tracker's bus beside the call events (one bus for the
 * webhooks and the live feed to subscribe to): originate.queued, .dialing, .ringing,
 * .answered, .ended; campaign.started, .paused, .resumed, .cancelled, .done, and
 * campaign.action for every key that did something.
 */
declare module "../tracking/tracker.ts" {
  interface TrackerEvents {
    "originate.queued": OriginateEvent;
    "originate.dialing": OriginateEvent;
    "originate.ringing": OriginateEvent;
    "originate.answered": OriginateEvent;
    "originate.ended": OriginateEvent;
    "campaign.started": CampaignEvent;
    "campaign.paused": CampaignEvent;
    "campaign.resumed": CampaignEvent;
    "campaign.cancelled": CampaignEvent;
    "campaign.done": CampaignEvent;
    "campaign.action": CampaignEvent;
  }
}

export type DialEventType = "originate.queued" | "originate.dialing" | "originate.ringing" | "originate.answered" | "originate.ended";
export type CampaignEventType = "campaign.started" | "campaign.paused" | "campaign.resumed" | "campaign.cancelled" | "campaign.done" | "campaign.action";
export type OutboundEventType = DialEventType | CampaignEventType;
export type CampaignStateEventType = Exclude<CampaignEventType, "campaign.action">;

/** A campaign's progress as the API and the campaign.* events show it. */
export function progressJson(p: CampaignProgress) {
  return {
    name: p.name,
    state: p.state,
    numbers: p.numbers,
    queued: p.queued,
    in_progress: p.inProgress,
    dialed: p.dialed,
    answered: p.answered,
    outcomes: p.outcomes,
    actions: p.actions,
    started_at: iso(p.startedAt),
    finished_at: iso(p.finishedAt),
  };
}

/**
 * Where the outbound events go besides the bus: the outbox, for the webhooks. An event of a
 * change that is written (queued, answered, ended, a key's action, a campaign's state) is
 * stored in the transaction that writes it; one of a change kept in memory only (dialing,
 * ringing) is stored shortly after, off the dialer's path. Nothing here touches the network.
 */
export interface OutboundOutbox {
  /** Whether a target wants this type at all (otherwise nothing is built). */
  wants(type: OutboundEventType): boolean;
  /** An event of a change kept in memory only: stored soon, in order with its key's others. */
  publish(event: PublishedEvent): void;
  /**
   * Runs `write`, then stores `events(result)` (after the key's events still waiting), in one
   * transaction. Throws what the transaction throws: on SQLITE_BUSY nothing was written and
   * the caller retries the whole (PendingWrites); `events` is called again then.
   */
  withWrite<T>(key: string, write: () => T, events: (result: T) => readonly PublishedEvent[]): T;
}

/** Without integrations: the writes alone. */
export const NO_OUTBOX: OutboundOutbox = {
  wants: () => false,
  publish: () => {},
  withWrite: (_key, write, events) => {
    const result = write();
    events(result);
    return result;
  },
};

/**
 * The outbox orders and numbers events per key: a dial's events go under its id (on its
 * first attempt also its call's id, so they share one sequence with that call's call.*
 * events), a campaign's state changes under `campaign:<name>`.
 */
export const campaignEventKey = (campaign: string) => `campaign:${campaign}`;

/** originate.*: the dial as the API shows it; originate.ended adds its outcome and whether it is final. */
export function dialOutboxEvent(type: DialEventType, event: OriginateEvent): PublishedEvent {
  const { dial } = event;
  const ended = type === "originate.ended" ? { outcome: dial.outcome, final: event.retryAt === undefined, retry_at: iso(event.retryAt) } : {};
  return { type, key: dial.id, at: event.at, data: () => ({ dial_id: dial.id, call_id: dial.call_id, ...ended, dial }) };
}

/** campaign.action: a key of a campaign's menu raised its event or opted the number out; ordered with the dial's events. */
export function actionOutboxEvent(event: CampaignEvent & { dial: DialJson; key: string; action: string }): PublishedEvent {
  const { dial } = event;
  return {
    type: "campaign.action",
    key: dial.id,
    at: event.at,
    data: () => ({ dial_id: dial.id, call_id: dial.call_id, campaign: event.campaign, key: event.key, action: event.action, event: event.event ?? null, dial }),
  };
}

/** campaign.started, .paused, .resumed, .cancelled, .done: the state and the progress, read when the event is stored (in the change's transaction). */
export function campaignOutboxEvent(type: CampaignStateEventType, event: CampaignEvent, progress: () => ReturnType<typeof progressJson>): PublishedEvent {
  return {
    type,
    key: campaignEventKey(event.campaign),
    at: event.at,
    data: () => {
      const now = progress();
      return { campaign: event.campaign, state: now.state, progress: now };
    },
  };
}

/** An event as it was when it happened: for the bus, and the outbox's copy if a target wants it. */
export interface Announcement<K extends OutboundEventType = OutboundEventType> {
  type: K;
  event: TrackerEvents[K];
  stored: PublishedEvent[];
}

/**
 * Takes a dial's events for the bus and the outbox, only when someone listens; the dialer
 * writes `stored` with the change and `tell`s the bus after.
 */
export class DialAnnouncer {
  constructor(
    private readonly bus: Tracker["bus"],
    private readonly outbox: OutboundOutbox,
    private readonly clock: () => number,
  ) {}

  /** The dial as it is now (it changes after). */
  take(type: DialEventType, dial: Dial, retryAt?: number): Announcement | undefined {
    const wanted = this.outbox.wants(type);
    if (!wanted && !this.bus.has(type)) return undefined;
    const event: OriginateEvent = { dial: dialJson(dial), at: this.clock(), ...(retryAt === undefined ? {} : { retryAt }) };
    return { type, event, stored: wanted ? [dialOutboxEvent(type, event)] : [] };
  }

  /** campaign.action: a menu key raised its event or opted the number out. */
  keyAction(dial: Dial, action: { key: string; action: string; event?: string }): Announcement | undefined {
    const type = "campaign.action";
    const wanted = this.outbox.wants(type);
    if (!wanted && !this.bus.has(type)) return undefined;
    const event = { campaign: dial.menu ?? "", at: this.clock(), ...action, dial: dialJson(dial) };
    return { type, event, stored: wanted ? [actionOutboxEvent(event)] : [] };
  }

  tell(news: Announcement | undefined): void {
    if (news && this.bus.has(news.type)) this.bus.emit(news.type, news.event);
  }
}
