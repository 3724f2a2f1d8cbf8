import { afterEach, describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import type { BusinessHours } from "../../src/originate/hours.ts";
import type { OriginatePlan } from "../helpers/fake-originate.ts";
import { ADMIN, ENV, testApp } from "../helpers/http-app.ts";
import { BY_MOBILE, CRM_TOKEN, outboundAgainstFake, outboundYaml } from "../helpers/outbound.ts";
import { waitFor } from "../helpers/wait.ts";

const SERVER = "server:\n  admin_token: ${IVR_TEST_ADMIN_TOKEN}\n";

let running: ReturnType<typeof outboundAgainstFake> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function api(options: { originate?: (action: import("../../src/ami/message.ts").AmiMessage) => OriginatePlan; hours?: BusinessHours; callbackSchedule?: string } = {}) {
  const yaml = (port: number) => outboundYaml(port, SERVER, { callbackSchedule: options.callbackSchedule });
  running = outboundAgainstFake({ originate: options.originate, hours: options.hours, yaml });
  const { app } = testApp({ config: parseConfig(yaml(running.fake.port), "test.yaml"), outbound: running.outbound, history: running.history, env: { ...ENV, AMI_TEST_SECRET: running.fake.secret } });
  const call = async (method: string, path: string, body?: unknown, token = ADMIN) => {
    const response = await app.request(path, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers };
  };
  return { ...running, call };
}

describe("POST /api/originate", () => {
  test("202 with the id at once; GET gives its state; the outcome comes from the tracked call", async () => {
    const { call, ready, done, fake } = api();
    await ready();
    const posted = await call("POST", "/api/originate", { kind: "callback", to: "80291234567", queue: "10001", data: { ticket: 42 } });
    expect(posted.status).toBe(202);
    const id = posted.body.id as string;
    expect(id).toMatch(/^o[0-9a-z]+$/);
    expect(posted.body).toMatchObject({ state: "queued", number: "+375291234567" });
    expect(posted.headers.get("location")).toBe(`/api/originate/${id}`);
    await done(posted.body.id);
    const got = await call("GET", `/api/originate/${posted.body.id}`);
    expect(got.body).toMatchObject({ id: posted.body.id, kind: "callback", state: "done", outcome: "answered", stage: "customer", queue: "10001", number: "+375291234567", attempt: 1, call_id: posted.body.id, hint: "Success 4", data: { ticket: 42 } });
    expect(fake.originates).toHaveLength(1);
  });

  test("click-to-call rings the manager's extension first, the customer's number shown on it", async () => {
    const { call, ready, done, fake } = api();
    await ready();
    const posted = await call("POST", "/api/originate", { kind: "click-to-call", to: "+375291234567", extension: "150" });
    expect(posted.status).toBe(202);
    expect(await done(posted.body.id)).toMatchObject({ outcome: "answered", stage: "customer" });
    expect(fake.originates[0]!.toObject()).toMatchObject({ Channel: "Local/150@phones", CallerID: '"+375291234567" <+375291234567>', Context: "ivr-outbound", Exten: "s" });
  });

  test("click-to-call whose extension is busy: busy, about the extension", async () => {
    const { call, ready, done } = api({ originate: () => ({ outcome: "busy" }) });
    await ready();
    const posted = await call("POST", "/api/originate", { kind: "click-to-call", to: "+375291234567", extension: "150" });
    expect(await done(posted.body.id)).toMatchObject({ outcome: "busy", stage: "extension" });
  });

  test.each([
    [{ kind: "callback", to: "+449098790000", queue: "10001" }, "number_type_not_allowed", "premium-rate"],
    [{ kind: "callback", to: "+375800123456", queue: "10001" }, "number_type_not_allowed", "toll-free"],
    [{ kind: "callback", to: "+4930123456", queue: "10001" }, "country_not_allowed", "international"],
    [{ kind: "callback", to: "+881631234567", queue: "10001" }, "country_not_allowed", "non-geographic"],
    [{ kind: "callback", to: "anonymous", queue: "10001" }, "invalid_number", "not a phone number"],
    [{ kind: "callback", to: "+375291234567" }, "destination", "a queue or an extension"],
    [{ kind: "click-to-call", to: "+375291234567", extension: "15a" }, "extension", "2-15 digits"],
    [{ kind: "message", to: "+375291234567", campaign: "nope" }, "campaign", 'no campaign "nope"'],
    [{ kind: "fax", to: "+375291234567" }, "kind", "kind must be one of"],
    [{ kind: "callback", to: "+375291234567", queue: "10001", trunk: "other" }, "trunk", 'no trunk "other"'],
  ])("refused with 400 and the reason: %j", async (body, reason, words) => {
    const { call, fake } = api();
    const posted = await call("POST", "/api/originate", body);
    expect(posted.status).toBe(400);
    expect(posted.body.reason).toBe(reason);
    expect(posted.body.error).toContain(words);
    await Bun.sleep(50);
    expect(fake.originates).toHaveLength(0);
  });

  test("a client token opens only the originate endpoints, for its kinds and its own dials", async () => {
    const { call, ready } = api();
    await ready();
    const own = await call("POST", "/api/originate", { kind: "callback", to: "+375291234567", queue: "10001" }, CRM_TOKEN);
    expect(own.status).toBe(202);
    expect((await call("GET", `/api/originate/${own.body.id}`, undefined, CRM_TOKEN)).body).toMatchObject({ id: own.body.id, client: "crm" });
    expect((await call("POST", "/api/originate", { kind: "message", to: "+375291234567", campaign: "donations" }, CRM_TOKEN)).status).toBe(403);
    const admins = await call("POST", "/api/originate", { kind: "callback", to: "+375291234568", queue: "10001" });
    expect((await call("GET", `/api/originate/${admins.body.id}`, undefined, CRM_TOKEN)).status).toBe(404);
    expect((await call("GET", "/api/campaigns", undefined, CRM_TOKEN)).status).toBe(401);
    expect((await call("GET", "/api/calls", undefined, CRM_TOKEN)).status).toBe(401);
    expect((await call("POST", "/api/originate", { kind: "callback", to: "+375291234567", queue: "10001" }, "crm-originate-token-0123456788")).status).toBe(401);
  });

  test("a queue callbacks may not reach is refused (403)", async () => {
    const { call } = api();
    const posted = await call("POST", "/api/originate", { kind: "callback", to: "+375291234567", queue: "10002" });
    expect(posted).toMatchObject({ status: 403, body: { reason: "queue_not_allowed" } });
  });

  test("the do-not-call list is checked: 409, nothing dialled", async () => {
    const { call, fake } = api();
    expect((await call("POST", "/api/dnc", { number: "80291234567", note: "asked by phone" })).status).toBe(201);
    const posted = await call("POST", "/api/originate", { kind: "callback", to: "+375291234567", queue: "10001" });
    expect(posted).toMatchObject({ status: 409, body: { reason: "do_not_call" } });
    expect((await call("GET", "/api/dnc")).body.numbers).toEqual([expect.objectContaining({ number: "+375291234567", source: "api", note: "asked by phone" })]);
    expect((await call("DELETE", "/api/dnc/%2B375291234567")).status).toBe(200);
    expect((await call("POST", "/api/originate", { kind: "callback", to: "+375291234567", queue: "10001" })).status).toBe(202);
    expect(fake.originates.length).toBeLessThanOrEqual(1);
  });

  test("over the trunk's max_concurrent: 429 while the calls last, accepted again after", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { call, ready, done } = api({ originate: () => ({ outcome: "answered", whileUp: () => held }) });
    await ready();
    const first = await call("POST", "/api/originate", { kind: "callback", to: BY_MOBILE(1), queue: "10001" });
    const second = await call("POST", "/api/originate", { kind: "callback", to: BY_MOBILE(2), queue: "10001" });
    expect([first.status, second.status]).toEqual([202, 202]);
    const third = await call("POST", "/api/originate", { kind: "callback", to: BY_MOBILE(3), queue: "10001" });
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("1");
    expect(third.body.error).toContain("max_concurrent 2");
    release();
    await done(first.body.id);
    await done(second.body.id);
    expect((await call("POST", "/api/originate", { kind: "callback", to: BY_MOBILE(3), queue: "10001" })).status).toBe(202);
  });

  test("a callback asked for outside the schedule's hours waits for the opening, then is dialled", async () => {
    let opensAt = Date.now() + 60 * 60_000;
    const hours: BusinessHours = { isOpen: (_s, at) => at >= opensAt, nextOpening: (_s, at) => Math.max(at, opensAt) };
    const { call, ready, done, fake, outbound } = api({ hours, callbackSchedule: "office" });
    await ready();
    const posted = await call("POST", "/api/originate", { kind: "callback", to: "+375291234567", queue: "10001" });
    expect(posted.status).toBe(202);
    expect(Date.parse(posted.body.not_before)).toBe(opensAt);
    await Bun.sleep(300);
    expect(fake.originates).toHaveLength(0);
    // The office opens: the stored not_before is moved, as a night's wait would end.
    opensAt = Date.now();
    outbound.store.change(posted.body.id, { notBefore: opensAt });
    outbound.dialer.wake();
    expect(await done(posted.body.id)).toMatchObject({ outcome: "answered" });
  });

  test("DELETE cancels a dial still waiting; GET /health and /metrics show outbound", async () => {
    const { call, ready } = api();
    await ready();
    const later = await call("POST", "/api/originate", { kind: "callback", to: "+375291234567", queue: "10001", not_before: new Date(Date.now() + 3_600_000).toISOString() });
    const cancelled = await call("DELETE", `/api/originate/${later.body.id}`);
    expect(cancelled).toMatchObject({ status: 200, body: { state: "done", outcome: "cancelled" } });
    expect((await call("DELETE", `/api/originate/${later.body.id}`)).status).toBe(409);
    const { app } = testApp({ outbound: running!.outbound, history: running!.history });
    const health = (await (await app.request("/health")).json()) as Record<string, any>;
    expect(health.outbound).toEqual({ state: "ready", reason: null, in_flight: 0 });
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toContain('ivr_originate_ended_total{kind="callback",outcome="cancelled"} 1');
    expect(metrics).toContain('ivr_campaign_numbers{campaign="donations",state="queued"} 0');
  });
});

test("without an outbound: section the endpoints say it is off (503)", async () => {
  const { app } = testApp();
  const response = await app.request("/api/originate", { method: "POST", headers: { Authorization: `Bearer ${ADMIN}` }, body: "{}" });
  expect(response.status).toBe(503);
  await waitFor(() => true, "nothing");
});
