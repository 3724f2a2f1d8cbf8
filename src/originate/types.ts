import type { OutboundDialRow } from "../history/schema.ts";

/** What a dial does once its first leg answers (see agi-script.ts). */
export const KINDS = ["click-to-call", "callback", "message"] as const;
export type Kind = (typeof KINDS)[number];

/**
 * A dial's life: queued (waiting for its time, the limits, the schedule) -> claimed (written
 * before the Originate is sent) -> dialing (Asterisk accepted the Originate) -> ringing ->
 * answered -> done. A retry puts it back to queued. `claimed` and later are "in flight".
 */
export const STATES = ["queued", "claimed", "dialing", "ringing", "answered", "done"] as const;
export type DialState = (typeof STATES)[number];
export const IN_FLIGHT: readonly DialState[] = ["claimed", "dialing", "ringing", "answered"];

/**
 * How a dial ended, from the tracked call (OriginateResponse is only a hint). `refused`: not
 * dialled (do-not-call list, a number no longer allowed); `unknown`: ivr lost sight of a call
 * it may have placed (a restart or a lost connection while it rang), and does not place it
 * again (a number is never called twice by accident).
 */
export const OUTCOMES = ["answered", "busy", "no_answer", "congestion", "failed", "cancelled", "refused", "unknown"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** A campaign's life (campaign.ts). */
export const CAMPAIGN_STATES = ["idle", "running", "paused", "cancelled", "done"] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

export type Dial = OutboundDialRow & { kind: Kind; state: DialState; outcome: Outcome | null };

/** The uniqueid an attempt's first channel gets (Originate's ChannelId): the dial's id, then id.2, id.3... */
export function callIdFor(id: string, attempt: number): string {
  return attempt <= 1 ? id : `${id}.${attempt}`;
}

/** The uniqueid of the second half of an originated Local channel (OtherChannelId). */
export function otherChannelId(callId: string): string {
  return `${callId}-2`;
}

/** The channel variable the Originate sets and the generated context passes to agi://.../outbound: the call id. */
export const CALL_VARIABLE = "IVR_CALL";
