import { afterEach, describe, expect, test } from "bun:test";
import type { IvrConfig } from "../../src/config/schema.ts";
import { startIntegrations } from "../../src/integrations/service.ts";
import { WebhookTarget } from "../../src/integrations/webhooks/target.ts";
import { listCalls } from "../../src/history/queries.ts";
import { startCallTracking } from "../../src/tracking/service.ts";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { FakeAmi, freshen } from "../helpers/fake-ami.ts";
import { tempHistory } from "../helpers/history.ts";
import { FAST } from "../helpers/tracking-service.ts";
import { waitFor } from "../helpers/wait.ts";
import { TEST_SECRET, WebhookReceiver } from "../helpers/webhook-receiver.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** ivr serve's call tracking and integrations on a real SQLite file, a fake Asterisk and a webhook receiver over HTTP. */
async function setup(receiver: WebhookReceiver, events: string[] = ["*"]) {
  receiver.start();
  const fake = new FakeAmi().start();
  const history = tempHistory();
  const { log, text } = captureLog();
  const config: IvrConfig = {
    country: "TH",
    ami: { host: "127.0.0.1", port: fake.port, username: "ivr", secret: fake.secret, trunk_pattern: "^(Local/\\d+@probe-|Local/10001@queue-in-)" },
    integrations: { webhooks: [{ name: "crm-hook", url: receiver.url, secret: TEST_SECRET, events }] },
  };
  const integrations = startIntegrations({ history, config: () => config, log, upkeepMs: 50 });
  const tracking = startCallTracking({ settings: config.ami!, config: () => config, history, log, timing: FAST, outbox: integrations.tracking });
  cleanups.push(() => fake.stop(), () => receiver.stop(), () => history.close(), () => integrations.stop(0), () => tracking.stop());
  await waitFor(() => tracking.health().last_resync !== null, "the first resync");
  return { fake, history, integrations, tracking, log: text };
}

const byCall = (hooks: WebhookReceiver["received"]) => {
  const calls = new Map<string, Array<[number, string]>>();
  for (const hook of hooks) {
    const list = calls.get(hook.json.data.call_id) ?? [];
    list.push([hook.json.data.sequence, hook.json.type]);
    calls.set(hook.json.data.call_id, list);
  }
  return calls;
};

describe("webhooks from tracked calls", () => {
  test("a replayed queue call reaches the receiver signed, in order, numbered 1, 2, 3... per call, ending with the recorded call", async () => {
    const receiver = new WebhookReceiver(TEST_SECRET);
    const { fake, history } = await setup(receiver);
    fake.play(amiEvents("queue-call"));
    fake.play(freshen(amiEvents("queue-call"), 1));
    await waitFor(() => receiver.received.filter((h) => h.json.type === "call.ended").length >= 2, "both calls ended at the receiver", 10_000);
    await Bun.sleep(50);
    expect(receiver.received.every((hook) => hook.verified)).toBe(true);
    expect(receiver.unique()).toHaveLength(receiver.received.length);
    const calls = byCall(receiver.received);
    for (const [id, events] of calls) {
      expect({ id, sequences: events.map(([seq]) => seq) }).toEqual({ id, sequences: events.map((_, i) => i + 1) });
      expect(events[0]![1]).toBe("call.started");
      expect(events.at(-1)![1]).toBe("call.ended");
    }
    const ended = receiver.received.filter((h) => h.json.type === "call.ended").map((h) => h.json.data);
    const recorded = listCalls(history, { limit: 10 });
    expect(ended.map((d) => d.history_id).sort()).toEqual(recorded.map((r) => r.id).sort());
    expect(ended[0]!.call).toMatchObject({ legs: expect.any(Array), transfers: [], status: "answered" });
    expect(calls.get("ami-queue-a")!.map(([, type]) => type)).toEqual(["call.started", "call.ringing", "call.ringing", "call.answered", "call.ended"]);
    const answered = receiver.received.find((h) => h.json.type === "call.answered")!.json;
    expect(answered.data.leg).toMatchObject({ position: expect.any(Number) });
    expect(answered.data.call).toMatchObject({ state: "answered", direction: "inbound" });
  });

  test("a subscription gets only its events", async () => {
    const receiver = new WebhookReceiver(TEST_SECRET);
    const { fake } = await setup(receiver, ["call.ended"]);
    fake.play(amiEvents("queue-call"));
    await waitFor(() => receiver.received.length >= 1, "the end", 10_000);
    await Bun.sleep(100);
    // Events no target wants are not stored, so they take no number.
    expect(receiver.received.map((h) => [h.json.type, h.json.data.sequence])).toEqual([["call.ended", 1]]);
  });

  test("a receiver that takes 10 s per request holds up nothing: calls keep being tracked and recorded meanwhile", async () => {
    const receiver = new WebhookReceiver(TEST_SECRET);
    receiver.delayMs = 10_000;
    const { fake, history, tracking } = await setup(receiver);
    const events = amiEvents("queue-call");
    fake.play(freshen(events, 1));
    await waitFor(() => receiver.arrived > 0, "the first request to hang at the receiver");
    for (let round = 2; round <= 6; round++) fake.play(freshen(events, round));
    // Every call is tracked and recorded while the receiver has not answered a single request.
    await waitFor(() => listCalls(history, { limit: 100 }).length >= 6, "six calls recorded", 8_000);
    expect(receiver.received).toHaveLength(0);
    expect(tracking.health()).toMatchObject({ active_calls: 0, queue_depth: 0, dropped_events: 0 });
  });
});

describe("a webhook target's answers", () => {
  const item = { messageId: "msg_test", payload: '{"type":"call.started","timestamp":"2026-11-21T12:00:00.000Z","data":{}}' } as never;
  const deliver = (receiver: WebhookReceiver) =>
    new WebhookTarget({ url: receiver.url, secret: TEST_SECRET, events: ["*"], timeout_seconds: 1 }).deliver([item], { signal: new AbortController().signal, now: Date.now });

  test("2xx is delivered; 410 is a refusal; 503 with Retry-After is retried after it; a redirect is not followed", async () => {
    const receiver = new WebhookReceiver(TEST_SECRET).start();
    cleanups.push(() => receiver.stop());
    expect(await deliver(receiver)).toEqual({ delivered: 1 });
    expect(receiver.received[0]).toMatchObject({ id: "msg_test", verified: true });
    receiver.respond = () => new Response("gone", { status: 410 });
    expect(await deliver(receiver)).toMatchObject({ delivered: 0, permanent: true });
    receiver.respond = () => new Response("busy", { status: 503, headers: { "Retry-After": "120" } });
    expect(await deliver(receiver)).toMatchObject({ delivered: 0, error: "HTTP 503", retryAfterMs: 120_000 });
    receiver.respond = () => new Response(null, { status: 301, headers: { Location: "http://127.0.0.1:1/" } });
    expect(await deliver(receiver)).toMatchObject({ delivered: 0, error: expect.stringContaining("redirects are not followed") });
  });

  test("no answer in time, or nobody listening, is an error to retry, naming no URL", async () => {
    const receiver = new WebhookReceiver(TEST_SECRET).start();
    receiver.delayMs = 3000;
    cleanups.push(() => receiver.stop());
    expect(await deliver(receiver)).toEqual({ delivered: 0, error: "no answer within 1 s" });
    receiver.stop();
    const refused = await deliver(receiver);
    expect(refused.delivered).toBe(0);
    expect(refused.error).not.toContain("127.0.0.1");
  });

  test("a secret taken from the environment that is not set is an error to retry, never a request unsigned", async () => {
    const receiver = new WebhookReceiver(TEST_SECRET).start();
    cleanups.push(() => receiver.stop());
    const target = new WebhookTarget({ url: receiver.url, secret: "${HOOK_SECRET}", events: ["*"] }, {});
    expect(await target.deliver([item], { signal: new AbortController().signal, now: Date.now })).toEqual({ delivered: 0, error: "its secret refers to ${HOOK_SECRET}, which is not set" });
    expect(receiver.arrived).toBe(0);
  });
});
