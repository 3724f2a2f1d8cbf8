import { describe, expect, test } from "bun:test";
import { WEBHOOK_EVENTS } from "../../src/config/integrations-schema.ts";
import { WEBHOOK_SCHEMAS, type WebhookEventType } from "../../src/integrations/webhooks/schemas.ts";
import { actionOutboxEvent, campaignEventKey, campaignOutboxEvent, dialJson, dialOutboxEvent, type DialEventType, progressJson } from "../../src/originate/events.ts";
import type { PublishedEvent } from "../../src/outbox/recorder.ts";
import type { Dial } from "../../src/originate/types.ts";

const AT = Date.parse("2026-11-21T12:00:06.000Z");

function dialRow(overrides: Partial<Dial> = {}): Dial {
  return {
    seq: 7,
    id: "omwqcvpc0k3x9a2qd",
    kind: "message",
    campaign: "donations",
    client: "admin",
    enterprise: null,
    number: "+375291234567",
    numberRaw: "80291234567",
    extension: null,
    queue: null,
    menu: "donations",
    trunk: "main",
    schedule: null,
    data: '{"name":"Alexei"}',
    state: "answered",
    attempt: 1,
    callId: "omwqcvpc0k3x9a2qd",
    notBefore: AT - 6000,
    createdAt: AT - 6000,
    updatedAt: AT,
    claimedAt: AT - 6000,
    acceptedAt: AT - 5990,
    answeredAt: AT,
    endedAt: null,
    outcome: null,
    stage: null,
    detail: null,
    hint: "Success 4",
    keys: "",
    ...overrides,
  };
}

/** The body the outbox would store for it (sequence added), parsed by the published schema. */
function body(event: PublishedEvent, sequence = 1) {
  const json = { type: event.type, timestamp: new Date(event.at).toISOString(), data: { ...event.data(), sequence } };
  const parsed = WEBHOOK_SCHEMAS[event.type as WebhookEventType].safeParse(json);
  expect({ type: event.type, error: parsed.error?.message }).toEqual({ type: event.type, error: undefined });
  return json.data as Record<string, any>;
}

describe("the outbound events as webhook events", () => {
  test("every originate.* is keyed by the dial's id and carries the dial as the API shows it; valid by its schema", () => {
    for (const type of ["originate.queued", "originate.dialing", "originate.ringing", "originate.answered"] as DialEventType[]) {
      const dial = type === "originate.queued" ? dialRow({ state: "queued", attempt: 0, callId: null, claimedAt: null, acceptedAt: null, answeredAt: null, hint: null }) : dialRow();
      const event = dialOutboxEvent(type, { dial: dialJson(dial), at: AT });
      expect({ type: event.type, key: event.key, at: event.at }).toEqual({ type, key: dial.id, at: AT });
      const data = body(event);
      expect(data).toEqual({ dial_id: dial.id, call_id: dial.callId, dial: dialJson(dial), sequence: 1 });
      expect(data.dial).toMatchObject({ data: { name: "Alexei" }, keys: [], claimed_at: type === "originate.queued" ? null : "2026-11-21T12:00:00.000Z" });
    }
  });

  test("originate.ended: the outcome, final, and when a dial that is not done is tried again", () => {
    const done = dialRow({ state: "done", outcome: "answered", stage: "customer", detail: "the customer answered", endedAt: AT + 30_000, keys: "1" });
    expect(body(dialOutboxEvent("originate.ended", { dial: dialJson(done), at: AT + 30_000 }))).toMatchObject({ outcome: "answered", final: true, retry_at: null, dial: { keys: ["1"], state: "done" } });
    const again = dialRow({ state: "queued", outcome: "busy", stage: "customer", detail: "the customer: busy", endedAt: AT, notBefore: AT + 60_000 });
    expect(body(dialOutboxEvent("originate.ended", { dial: dialJson(again), at: AT, retryAt: AT + 60_000 }))).toMatchObject({ outcome: "busy", final: false, retry_at: "2026-11-21T12:01:06.000Z", dial: { state: "queued" } });
    // Only originate.ended has them.
    expect(dialOutboxEvent("originate.answered", { dial: dialJson(dialRow()), at: AT }).data()).not.toHaveProperty("outcome");
  });

  test("a later attempt: the same key (the dial), its own call id", () => {
    const second = dialRow({ attempt: 2, callId: "omwqcvpc0k3x9a2qd.2" });
    const event = dialOutboxEvent("originate.dialing", { dial: dialJson(second), at: AT });
    expect(event.key).toBe("omwqcvpc0k3x9a2qd");
    expect(body(event)).toMatchObject({ dial_id: "omwqcvpc0k3x9a2qd", call_id: "omwqcvpc0k3x9a2qd.2" });
  });

  test("the event is the dial as it was when published, whatever happens to the row after", () => {
    const dial = dialRow({ state: "ringing", answeredAt: null });
    const event = dialOutboxEvent("originate.ringing", { dial: dialJson(dial), at: AT });
    Object.assign(dial, { state: "done", outcome: "no_answer" });
    expect(event.data()).toMatchObject({ dial: { state: "ringing", outcome: null } });
  });

  test("campaign.action: the configured event name and key, ordered with the dial's events; an opt-out has no event name", () => {
    const dial = dialJson(dialRow());
    const donation = actionOutboxEvent({ campaign: "donations", at: AT, key: "1", action: "event", event: "donation_requested", dial });
    expect(donation.key).toBe(dial.id);
    expect(body(donation)).toEqual({ dial_id: dial.id, call_id: dial.call_id, campaign: "donations", key: "1", action: "event", event: "donation_requested", dial, sequence: 1 });
    expect(body(actionOutboxEvent({ campaign: "donations", at: AT, key: "9", action: "opt_out", dial }))).toMatchObject({ key: "9", action: "opt_out", event: null });
  });

  test("campaign state events: keyed per campaign, the progress read when the event is stored", () => {
    let reads = 0;
    const progress = () => {
      reads++;
      return progressJson({ name: "donations", state: "done", states: { queued: 0, claimed: 0, dialing: 0, ringing: 0, answered: 0, done: 3 }, outcomes: { answered: 2, busy: 1 }, numbers: 3, dialed: 4, answered: 2, inProgress: 0, queued: 0, actions: { donation_requested: 1 }, startedAt: AT, finishedAt: AT + 60_000 });
    };
    const event = campaignOutboxEvent("campaign.done", { campaign: "donations", at: AT + 60_000 }, progress);
    expect({ type: event.type, key: event.key }).toEqual({ type: "campaign.done", key: campaignEventKey("donations") });
    expect(campaignEventKey("donations")).toBe("campaign:donations");
    expect(reads).toBe(0);
    expect(body(event)).toEqual({
      campaign: "donations",
      state: "done",
      sequence: 1,
      progress: { name: "donations", state: "done", numbers: 3, queued: 0, in_progress: 0, dialed: 4, answered: 2, outcomes: { answered: 2, busy: 1 }, actions: { donation_requested: 1 }, started_at: "2026-11-21T12:00:06.000Z", finished_at: "2026-11-21T12:01:06.000Z" },
    });
    expect(reads).toBe(1);
  });

  test("every type the dialer and the campaigns publish is a webhook event a subscription can name", () => {
    const published = ["originate.queued", "originate.dialing", "originate.ringing", "originate.answered", "originate.ended", "campaign.started", "campaign.paused", "campaign.resumed", "campaign.cancelled", "campaign.done", "campaign.action"];
    for (const type of published) expect(WEBHOOK_EVENTS as readonly string[]).toContain(type);
    expect(Object.keys(WEBHOOK_SCHEMAS)).toEqual(expect.arrayContaining(published));
  });
});
