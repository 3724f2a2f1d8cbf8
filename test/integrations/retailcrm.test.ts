import { afterEach, describe, expect, test } from "bun:test";
import type { RetailCrmSettings } from "../../src/config/integrations-schema.ts";
import { phoneMatch } from "../../src/history/phone.ts";
import { CrmCallStore } from "../../src/integrations/call-state.ts";
import { CrmLookups } from "../../src/integrations/crm-lookup.ts";
import { RetailCrmClient } from "../../src/integrations/retailcrm/client.ts";
import { RetailCrmFinder } from "../../src/integrations/retailcrm/lookup.ts";
import { RetailCrmTarget } from "../../src/integrations/retailcrm/target.ts";
import { callEvent, crmCall, inboundCall } from "../helpers/crm-events.ts";
import { FakeRetailCrm } from "../helpers/fake-retailcrm.ts";
import { outboxOn } from "../helpers/outbox.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** product.md's customer, typed the local way, whose manager is Olga (code 150). */
function account(): FakeRetailCrm {
  const fake = new FakeRetailCrm();
  fake.managers = [{ id: 7, firstName: "Olga", lastName: "Sidorova", code: "150" }];
  fake.customers = [{ id: 3021, firstName: "Алексей", lastName: "Клиентов", phones: ["8 (029) 123-45-67"], managerId: 7 }];
  return fake.start();
}

function retail(fake: FakeRetailCrm, settings: Partial<RetailCrmSettings> = {}, limits: { ratePerSecond?: number; telephonyRatePerSecond?: number; timeoutMs?: number } = {}) {
  const all: RetailCrmSettings = { url: fake.url, api_key: fake.apiKey, ...settings };
  const client = new RetailCrmClient({ url: () => fake.url, apiKey: () => fake.apiKey, timeoutMs: limits.timeoutMs ?? 2000, ...limits });
  const box = outboxOn([]);
  const target = new RetailCrmTarget(() => all, client, new CrmCallStore(box.history, "retailcrm"));
  box.map.set(target.name, target);
  (box.recorder as unknown as { options: { routing: () => (e: never) => string[] } }).options.routing = () => (event) => (target.accepts(event) ? [target.name] : []);
  cleanups.push(() => fake.stop(), () => box.worker.stop(0));
  return { ...box, client, target };
}

const headOf = (store: ReturnType<typeof outboxOn>["store"]) =>
  store
    .list({ state: "pending", limit: 100 })
    .filter((d) => d.attempts > 0)
    .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)[0];

describe("RetailCRM: each tracked call in its telephony", () => {
  test("a ringall queue: one `in` event with every manager's code; hangup; the finished call uploaded once", async () => {
    const fake = account();
    const { recorder, settle } = retail(fake, { client_id: "ivr-pbx", recording_url: "https://pbx.example.com/rec/{uniqueid}.mp3", site: "shop" });
    for (const event of inboundCall("call-1", { ringing: ["101", "102", "103"], answeredBy: "102", talk: 95 })) recorder.publish(event);
    await settle();
    expect(fake.events).toEqual([
      { phone: "+375291234567", type: "in", codes: ["101", "102", "103"], callExternalId: "call-1", externalPhone: "0001363", site: "shop", clientId: "ivr-pbx" },
      { phone: "+375291234567", type: "hangup", codes: ["101", "102", "103"], callExternalId: "call-1", externalPhone: "0001363", site: "shop", hangupStatus: "answered", clientId: "ivr-pbx" },
    ]);
    expect(fake.uploaded).toEqual([
      { date: "2026-11-21 12:00:00", type: "in", phone: "+375291234567", code: "102", result: "answered", duration: 95, durationWaiting: 5, externalId: "call-1", recordUrl: "https://pbx.example.com/rec/call-1.mp3", externalPhone: "0001363", site: "shop" },
    ]);
  });

  test("a manager's outbound call: `out` with the manager's code at the start; a missed inbound call: hangup no answered, result no answer", async () => {
    const fake = account();
    const { recorder, settle } = retail(fake);
    const out = crmCall({ id: "out-1", direction: "outbound", caller_extension: "150", external_number: "+66812345678", answered_extension: null });
    recorder.publish(callEvent("call.started", out));
    recorder.publish(callEvent("call.ended", { ...out, status: "busy", talk_seconds: null, legs: [] }));
    for (const event of inboundCall("missed-1", { ringing: ["101"] })) recorder.publish(event);
    await settle();
    const events = (call: string) => fake.events.filter((e) => e.callExternalId === call).map((e) => [e.type, e.codes, e.hangupStatus]);
    expect(events("out-1")).toEqual([
      ["out", ["150"], undefined],
      ["hangup", ["150"], "busy"],
    ]);
    expect(events("missed-1")).toEqual([
      ["in", ["101"], undefined],
      ["hangup", ["101"], "no answered"],
    ]);
    expect(fake.uploaded.map((u) => [u.externalId, u.type, u.code, u.result]).sort()).toEqual([
      ["missed-1", "in", "101", "no answer"],
      ["out-1", "out", "150", "busy"],
    ]);
  });

  test("faults are retried (503, 429, 500, malformed JSON, an HTML page); an upload whose answer was lost is a duplicate, not a second call", async () => {
    const fake = account();
    fake.holdMs = 1500;
    const { recorder, settle, clock, store } = retail(fake, {}, { timeoutMs: 500 });
    fake.fail("/api/v5/telephony/call/event", "503");
    fake.fail("/api/v5/telephony/call/event", "429");
    fake.fail("/api/v5/telephony/call/event", "malformed");
    fake.fail("/api/v5/telephony/calls/upload", "html");
    fake.fail("/api/v5/telephony/calls/upload", "500");
    fake.fail("/api/v5/telephony/calls/upload", "lost-answer");
    for (const event of inboundCall("call-2", { ringing: ["101"], answeredBy: "101" })) recorder.publish(event);
    for (let i = 0; i < 12; i++) {
      await settle();
      const head = headOf(store);
      if (!head) break;
      clock.set(head.nextAttemptAt);
    }
    expect(store.list({ state: "pending", limit: 10 })).toEqual([]);
    expect(fake.uploaded.map((u) => u.externalId)).toEqual(["call-2"]);
    expect(fake.count("/api/v5/telephony/calls/upload")).toBe(4);
  });

  test("a refusal (a validation error) is a dead letter at once, with RetailCRM's reason", async () => {
    const fake = account();
    const { recorder, settle, store } = retail(fake);
    const odd = crmCall({ id: "odd-1", started_at: "not a date" });
    recorder.publish(callEvent("call.ended", { ...odd, status: "answered", talk_seconds: 5, legs: [] }, undefined, 1));
    await settle();
    expect(store.list({ state: "failed", limit: 5 }).map((d) => d.lastError)).toEqual([expect.stringContaining("Errors in the entity format")]);
  });

  test("requests keep to the telephony methods' limit (40 a second; 10 here): a burst of calls never meets it", async () => {
    const fake = account();
    fake.telephonyRatePerSecond = 10;
    const { recorder, settle } = retail(fake, {}, { telephonyRatePerSecond: 10 });
    for (let i = 0; i < 8; i++) for (const event of inboundCall(`burst-${i}`, { ringing: ["101"] })) recorder.publish(event);
    await settle();
    expect(fake.requests.filter((r) => r.status === 503)).toEqual([]);
    expect(fake.uploaded).toHaveLength(8);
  });
});

describe("RetailCRM lookups for Smart Redirect", () => {
  function lookups(fake: FakeRetailCrm, settings: Partial<RetailCrmSettings> = {}) {
    const client = new RetailCrmClient({ url: () => fake.url, apiKey: () => fake.apiKey });
    const finder = new RetailCrmFinder(client, () => ({ url: fake.url, api_key: fake.apiKey, ...settings }), () => 300_000);
    cleanups.push(() => fake.stop());
    return new CrmLookups(() => new Map([["retailcrm", finder]]));
  }

  test("found by the national form: the customer as «Фамилия Имя» and the manager's code as the extension", async () => {
    const fake = account();
    const answer = await lookups(fake).lookup(["retailcrm"], phoneMatch("+375291234567", "BY")!, 2000);
    expect(answer).toMatchObject({ integration: "retailcrm", name: "Клиентов Алексей", extension: "150" });
    expect(fake.requests.map((r) => [r.path, r.params.phone ?? (r.params.filter as Record<string, string>)?.name])).toEqual([
      ["/api/v5/telephony/manager", "+375291234567"],
      ["/api/v5/customers", "+375291234567"],
      ["/api/v5/telephony/manager", "80291234567"],
    ]);
  });

  test("retailcrm.managers maps a manager to an extension over their code", async () => {
    const fake = account();
    expect(await lookups(fake, { managers: { "7": "152" } }).lookup(["retailcrm"], phoneMatch("80291234567", "BY")!, 2000)).toMatchObject({ extension: "152" });
  });

  test("a wrong key is an error noted in the decision, never a crash", async () => {
    const fake = account();
    const client = new RetailCrmClient({ url: () => fake.url, apiKey: () => "wrong" });
    const crm = new CrmLookups(() => new Map([["retailcrm", new RetailCrmFinder(client, () => undefined, () => 1000)]]));
    cleanups.push(() => fake.stop());
    expect((await crm.lookup(["retailcrm"], phoneMatch("+375291234567", "BY")!, 2000)).notes).toEqual(['retailcrm: failed: /api/v5/telephony/manager: HTTP 403: Wrong "apiKey" value.']);
  });
});
