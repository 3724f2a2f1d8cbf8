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
