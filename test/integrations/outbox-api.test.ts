import { afterEach, describe, expect, test } from "bun:test";
import { loadConfigFile } from "../../src/config/load.ts";
import type { IvrConfig } from "../../src/config/schema.ts";
import { insertCall, insertDecision } from "../../src/history/record.ts";
import { startIntegrations } from "../../src/integrations/service.ts";
import { WEBHOOK_SCHEMAS, type WebhookEventType } from "../../src/integrations/webhooks/schemas.ts";
import { SAMPLE_DATA, sampleBody } from "../../src/integrations/webhooks/samples.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { callRow, tempHistory } from "../helpers/history.ts";
import { admin, SMART_CONFIG, testApp } from "../helpers/http-app.ts";
import { waitFor } from "../helpers/wait.ts";
import { TEST_SECRET, WebhookReceiver } from "../helpers/webhook-receiver.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(receiver: WebhookReceiver, events = ["*"]) {
  receiver.start();
  const history = tempHistory();
  const { log } = captureLog();
  const config: IvrConfig = { ...loadConfigFile(SMART_CONFIG).config, integrations: { webhooks: [{ name: "ops", url: receiver.url, secret: TEST_SECRET, events }], outbox: { retry_hours: 0.001 } } };
  const integrations = startIntegrations({ history, config: () => config, log, upkeepMs: 20 });
  const { app } = testApp({ config, history, integrations });
  cleanups.push(() => receiver.stop(), () => integrations.stop(0), () => history.close());
  return { history, integrations, app };
}

describe("ivr.input and smart.decision, from the history's rows", () => {
  test("an IVR call and a Smart decision written by anyone become events, once each, in the call's sequence", async () => {
    const receiver = new WebhookReceiver(TEST_SECRET);
    const { history } = setup(receiver, ["ivr.input", "smart.decision"]);
    // As a per-call process would write them: straight into the database.
    insertDecision(history, { at: 1_795_264_000_000, via: "agi", enterprise: "0367", uniqueid: "1795264116.3", phoneRaw: "80291234567", phone: "+375291234567", trunk: "0001363", mode: "routing+name", rule: "last_call", outcome: "routed", name: "Alexei", dialPlan: "mngr31_0001363_1", reason: "last_call: extension 150", latencyMs: 1.5, cached: false });
    const id = insertCall(history, callRow({ uniqueid: "1795264116.3", linkedid: "1795264116.3", digits: "7,2", routeKind: "queue", destination: "10002", status: "answered", externalNumber: "+375291234567" }));
    insertCall(history, callRow({ source: "ami", uniqueid: "other" }));
    await waitFor(() => receiver.received.length >= 2, "both events", 5000);
    await Bun.sleep(100);
    const hooks = receiver.received.map((h) => h.json);
    expect(hooks.map((h) => [h.type, h.data.call_id, h.data.sequence])).toEqual([
      ["smart.decision", "1795264116.3", 1],
      ["ivr.input", "1795264116.3", 2],
    ]);
    expect(hooks[1]!.data).toMatchObject({ history_id: id, inputs: ["7", "2"], route_kind: "queue", destination: "10002", status: "answered" });
    for (const hook of hooks) expect(() => WEBHOOK_SCHEMAS[hook.type as WebhookEventType].parse(hook)).not.toThrow();
  });
});

describe("GET /api/outbox, retries, /health and /metrics", () => {
  test("a delivery given up is listed as failed with its reason, counted, and sent again on retry", async () => {
    const receiver = new WebhookReceiver(TEST_SECRET);
    receiver.respond = () => new Response("gone", { status: 410 });
    const { history, app, integrations } = setup(receiver, ["ivr.input"]);
    insertCall(history, callRow({ uniqueid: "u1", digits: "1" }));
    await waitFor(() => integrations.store.list({ state: "failed", limit: 5 }).length === 1, "the dead letter");
    const failed = (await (await app.request("/api/outbox?state=failed", admin())).json()) as { deliveries: Array<Record<string, any>> };
    expect(failed.deliveries).toHaveLength(1);
    expect(failed.deliveries[0]).toMatchObject({ target: "webhook:ops", state: "failed", attempts: 1, last_error: "HTTP 410 Gone: the receiver wants no more deliveries", event: { type: "ivr.input", call_id: "u1", sequence: 1 } });
    expect(failed.deliveries[0]!.payload.data.inputs).toEqual(["1"]);

    const health = (await (await app.request("/health")).json()) as Record<string, any>;
    expect(health.outbox).toMatchObject({ pending: 0, failed: 1, targets: { "webhook:ops": { failed: 1 } } });
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toContain('ivr_outbox_deliveries{target="webhook:ops",state="failed"} 1');
    expect(metrics).toContain('ivr_outbox_dead_letters_total{target="webhook:ops"} 1');

    receiver.respond = () => undefined;
    const id = failed.deliveries[0]!.id;
    expect((await app.request(`/api/outbox/${id}/retry`, admin({ method: "POST" }))).status).toBe(200);
    await waitFor(() => receiver.received.length === 1, "the retried delivery");
    expect(receiver.received[0]!.verified).toBe(true);
    await waitFor(() => integrations.store.get(id)!.state === "delivered", "delivered");
    expect((await app.request(`/api/outbox/${id}/retry`, admin({ method: "POST" }))).status).toBe(409);
  });

  test("a delivery that keeps failing past outbox.retry_hours becomes a dead letter; POST /api/outbox/retry sends them all", async () => {
    const receiver = new WebhookReceiver(TEST_SECRET);
    receiver.respond = () => new Response("down", { status: 503 });
    const { history, app, integrations } = setup(receiver, ["ivr.input"]);
    insertCall(history, callRow({ uniqueid: "u2", digits: "2" }));
    // retry_hours 0.001 is 3.6 s: the first failure's retry (5 s) falls outside it.
    await waitFor(() => integrations.store.list({ state: "failed", limit: 5 }).length === 1, "the dead letter");
    receiver.respond = () => undefined;
    expect(await (await app.request("/api/outbox/retry", admin({ method: "POST" }))).json()).toEqual({ retried: 1 });
    await waitFor(() => receiver.received.length === 1, "the retried delivery");
  });

  test("bad queries are refused; the endpoints are admin only", async () => {
    const { app } = setup(new WebhookReceiver(TEST_SECRET));
    expect((await app.request("/api/outbox?state=lost", admin())).status).toBe(400);
    expect((await app.request("/api/outbox?limit=0", admin())).status).toBe(400);
    expect((await app.request("/api/outbox/abc/retry", admin({ method: "POST" }))).status).toBe(400);
    expect((await app.request("/api/outbox/999/retry", admin({ method: "POST" }))).status).toBe(404);
    expect((await app.request("/api/outbox")).status).toBe(401);
  });
});

describe("the published schemas", () => {
  test("every sample body satisfies its event's schema; a body with a field too many does not", () => {
    for (const type of Object.keys(WEBHOOK_SCHEMAS) as WebhookEventType[]) {
      expect({ type, result: WEBHOOK_SCHEMAS[type].safeParse(JSON.parse(sampleBody(type, 3))).error?.message }).toEqual({ type, result: undefined });
    }
    const extra = JSON.parse(sampleBody("call.started"));
    extra.data.call.surprise = 1;
    expect(WEBHOOK_SCHEMAS["call.started"].safeParse(extra).success).toBe(false);
    expect(Object.keys(SAMPLE_DATA).sort()).toEqual(Object.keys(WEBHOOK_SCHEMAS).sort());
  });
});
