import { afterEach, describe, expect, test } from "bun:test";
import type { Bitrix24Settings } from "../../src/config/integrations-schema.ts";
import { phoneMatch } from "../../src/history/phone.ts";
import { CrmCallStore } from "../../src/integrations/call-state.ts";
import { CrmLookups } from "../../src/integrations/crm-lookup.ts";
import { Bitrix24Client } from "../../src/integrations/bitrix24/client.ts";
import { Bitrix24Finder } from "../../src/integrations/bitrix24/lookup.ts";
import { Bitrix24Target } from "../../src/integrations/bitrix24/target.ts";
import { UserDirectory } from "../../src/integrations/bitrix24/users.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { inboundCall } from "../helpers/crm-events.ts";
import { FakeBitrix24 } from "../helpers/fake-bitrix24.ts";
import { outboxOn } from "../helpers/outbox.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Ten managers, 101..110, users 11..20; product.md's customer in the CRM, typed the local way. */
function portal(): FakeBitrix24 {
  const fake = new FakeBitrix24();
  fake.users = Array.from({ length: 10 }, (_, i) => ({ ID: String(11 + i), NAME: `Manager`, LAST_NAME: `${101 + i}`, UF_PHONE_INNER: String(101 + i) }));
  fake.users.push({ ID: "25", NAME: "Olga", LAST_NAME: "Sidorova", UF_PHONE_INNER: "150" });
  fake.entities = [{ CRM_ENTITY_TYPE: "CONTACT", CRM_ENTITY_ID: 651, NAME: "Алексей Клиентов", PHONE: "8 (029) 123-45-67", ASSIGNED_BY_ID: 25 }];
  return fake.start();
}

function bitrix(fake: FakeBitrix24, settings: Partial<Bitrix24Settings> = {}, client: { burst?: number; ratePerSecond?: number; timeoutMs?: number } = {}) {
  const all: Bitrix24Settings = { webhook_url: fake.webhookUrl, ...settings };
  const { log, text } = captureLog();
  const b24 = new Bitrix24Client({ webhookUrl: () => fake.webhookUrl, burst: client.burst ?? 50, ratePerSecond: client.ratePerSecond ?? 2, timeoutMs: client.timeoutMs ?? 2000 });
  const users = new UserDirectory(b24, () => 600_000, log);
  const box = outboxOn([]);
  const target = new Bitrix24Target(() => all, b24, users, new CrmCallStore(box.history, "bitrix24"), log);
  box.map.set(target.name, target);
  const recorder = box.recorder;
  (recorder as unknown as { options: { routing: () => (e: never) => string[] } }).options.routing = () => (event) => (target.accepts(event) ? [target.name] : []);
  cleanups.push(() => fake.stop(), () => box.worker.stop(0));
  return { ...box, client: b24, users, target, log: text };
}

/** The delivery whose retry comes first (one that was attempted; those behind it wait for it). */
const headOf = (store: ReturnType<typeof outboxOn>["store"]) =>
  store
    .list({ state: "pending", limit: 100 })
    .filter((d) => d.attempts > 0)
    .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)[0];

const telephony = (fake: FakeBitrix24) => fake.requests.filter((r) => r.method.startsWith("telephony.")).map((r) => r.method.replace("telephony.externalcall.", ""));

describe("Bitrix24: each tracked call registered", () => {
  test("a ringall queue of ten phones costs two requests (register, one show); the answer hides the nine others; finish with duration and status; attachRecord", async () => {
    const fake = portal();
    const { recorder, settle, store } = bitrix(fake, { recording_url: "https://pbx.example.com/rec/{uniqueid}.mp3" });
    const ringing = Array.from({ length: 10 }, (_, i) => String(101 + i));
    for (const event of inboundCall("call-1", { ringing, answeredBy: "103", talk: 95 })) recorder.publish(event);
    await settle();
    expect(telephony(fake)).toEqual(["register", "show", "hide", "finish", "attachrecord"]);
    const [call] = fake.calls;
    expect(call!.params).toMatchObject({ USER_ID: 11, PHONE_NUMBER: "+375291234567", TYPE: 2, SHOW: 0, EXTERNAL_CALL_ID: "call-1", CALL_START_DATE: "2026-11-21T12:00:00+00:00", CRM_CREATE: 0 });
    expect(call!.shownTo).toEqual(ringing.map((_, i) => String(11 + i)));
    expect(call!.hiddenFrom.sort()).toEqual(call!.shownTo.filter((u) => u !== "13").sort());
    expect(call!.finished).toMatchObject({ USER_ID: 13, DURATION: 95, STATUS_CODE: "200" });
    expect(call!.record).toMatchObject({ RECORD_URL: "https://pbx.example.com/rec/call-1.mp3", FILENAME: "call-1.mp3" });
    expect(store.list({ state: "pending", limit: 50 })).toEqual([]);
  });

  test("a missed call is finished as missed (304) by the user it was registered to; an unmapped phone is not shown the card", async () => {
    const fake = portal();
    const { recorder, settle } = bitrix(fake);
    for (const event of inboundCall("call-2", { ringing: ["999", "104"] })) recorder.publish(event);
    await settle();
    expect(fake.calls[0]!.params).toMatchObject({ USER_ID: 14 });
    expect(fake.calls[0]!.shownTo).toEqual(["14"]);
    expect(fake.calls[0]!.finished).toMatchObject({ USER_ID: 14, DURATION: 0, STATUS_CODE: "304" });
  });

  test("two calls at once from one number get two CALL_IDs; each is finished once", async () => {
    const fake = portal();
    const { recorder, settle } = bitrix(fake);
    for (const event of [...inboundCall("call-a", { ringing: ["101"], answeredBy: "101" }), ...inboundCall("call-b", { ringing: ["101"], answeredBy: "101" })]) recorder.publish(event);
    await settle();
    expect(new Set(fake.calls.map((c) => c.CALL_ID)).size).toBe(2);
    expect(fake.calls.map((c) => Boolean(c.finished))).toEqual([true, true]);
    expect(fake.succeeded("telephony.externalcall.finish")).toHaveLength(2);
  });

  test("a portal that ignores EXTERNAL_CALL_ID answers the second call with the first one's CALL_ID: refused, never shared", async () => {
    const fake = portal();
    fake.ignoreExternalCallId = true;
    const { recorder, settle, store } = bitrix(fake);
    const [ringA] = inboundCall("call-a", { ringing: ["101"] });
    const [ringB] = inboundCall("call-b", { ringing: ["101"] });
    recorder.publish(ringA!);
    recorder.publish(ringB!);
    await settle();
    expect(fake.calls).toHaveLength(1);
    // Whichever of the two registered second (they go at once) is refused, naming the other.
    const failed = store.list({ state: "failed", limit: 5 });
    expect(failed).toHaveLength(1);
    const other = failed[0]!.key === "call-a" ? "call-b" : "call-a";
    expect(failed[0]!.lastError).toContain(`the CRM answered with the id it gave call ${other}`);
  });

  test("an answer lost after the finish was done: the retry does not finish twice", async () => {
    const fake = portal();
    fake.holdMs = 1500;
    const { recorder, settle, clock, log } = bitrix(fake, {}, { timeoutMs: 500 });
    fake.fail("telephony.externalcall.finish", "lost-answer");
    for (const event of inboundCall("call-3", { ringing: ["105"], answeredBy: "105" })) recorder.publish(event);
    await settle();
    clock.advance(10_000);
    await settle();
    expect(fake.succeeded("telephony.externalcall.finish")).toHaveLength(1);
    expect(fake.count("telephony.externalcall.finish")).toBe(2);
    expect(log()).toContain("was already finished by an earlier attempt");
  });

  test("faults are retried: 503, malformed JSON, 500; 429 OPERATION_TIME_LIMIT waits a minute; each call still registered and finished once", async () => {
    const fake = portal();
    const { recorder, settle, clock, store } = bitrix(fake);
    fake.fail("telephony.externalcall.register", "503");
    fake.fail("telephony.externalcall.register", "malformed");
    fake.fail("telephony.externalcall.finish", "500");
    fake.fail("telephony.externalcall.finish", "429");
    for (const event of inboundCall("call-4", { ringing: ["106"], answeredBy: "106" })) recorder.publish(event);
    const errors: string[] = [];
    for (let i = 0; i < 8; i++) {
      await settle();
      const next = headOf(store);
      if (!next) break;
      errors.push(next.lastError!);
      if (next.lastError!.includes("OPERATION_TIME_LIMIT")) expect(next.nextAttemptAt - clock.now()).toBeGreaterThanOrEqual(60_000);
      clock.set(next.nextAttemptAt);
    }
    expect(errors.map((e) => e.replace(/ \(.*/, ""))).toEqual([
      "telephony.externalcall.register: INTERNAL_SERVER_ERROR",
      "telephony.externalcall.register: the answer",
      "telephony.externalcall.finish: INTERNAL_SERVER_ERROR",
      "telephony.externalcall.finish: OPERATION_TIME_LIMIT",
    ]);
    expect(store.list({ state: "pending", limit: 5 })).toEqual([]);
    expect(fake.succeeded("telephony.externalcall.register")).toHaveLength(1);
    expect(fake.succeeded("telephony.externalcall.finish")).toHaveLength(1);
  });

  test("a portal down for an hour: retries back off; when it is back each call is registered and finished exactly once", async () => {
    const fake = portal();
    const { recorder, settle, clock, store } = bitrix(fake);
    const port = fake.port;
    fake.stop();
    for (const event of [...inboundCall("call-5", { ringing: ["107"], answeredBy: "107" }), ...inboundCall("call-6", { ringing: ["108"] })]) recorder.publish(event);
    const start = clock.now();
    let attempts = 0;
    while (clock.now() - start < 3_600_000) {
      await settle();
      attempts++;
      clock.set(headOf(store)!.nextAttemptAt);
    }
    expect(attempts).toBeLessThan(20); // backing off, not hammering
    expect(store.list({ state: "failed", limit: 5 })).toEqual([]);
    fake.start(port);
    clock.advance(4 * 3_600_000);
    await settle();
    expect(store.list({ state: "pending", limit: 50 })).toEqual([]);
    expect(fake.succeeded("telephony.externalcall.register")).toHaveLength(2);
    expect(fake.succeeded("telephony.externalcall.finish")).toHaveLength(2);
  });

  test("requests are paced to the portal's limit: a burst of calls never meets 503 QUERY_LIMIT_EXCEEDED", async () => {
    const fake = portal();
    fake.burst = 5;
    fake.ratePerSecond = 20;
    const { recorder, settle } = bitrix(fake, {}, { burst: 5, ratePerSecond: 20 });
    for (let i = 0; i < 8; i++) for (const event of inboundCall(`burst-${i}`, { ringing: [String(101 + i)] })) recorder.publish(event);
    await settle();
    expect(fake.requests.filter((r) => r.status === 503)).toEqual([]);
    expect(fake.succeeded("telephony.externalcall.finish")).toHaveLength(8);
  });

  test("503 QUERY_LIMIT_EXCEEDED (a portal stricter than we thought): we back off and everything arrives", async () => {
    const fake = portal();
    fake.burst = 3;
    fake.ratePerSecond = 50;
    const { recorder, settle, clock, store } = bitrix(fake, {}, { burst: 50, ratePerSecond: 50 });
    for (let i = 0; i < 4; i++) for (const event of inboundCall(`limit-${i}`, { ringing: [String(101 + i)] })) recorder.publish(event);
    for (let round = 0; round < 20; round++) {
      await settle();
      if (!headOf(store)) break;
      await Bun.sleep(100);
      clock.advance(60_000);
    }
    expect(fake.requests.some((r) => r.status === 503)).toBe(true);
    expect(store.list({ state: "pending", limit: 50 })).toEqual([]);
    expect(fake.succeeded("telephony.externalcall.register")).toHaveLength(4);
    expect(fake.succeeded("telephony.externalcall.finish")).toHaveLength(4);
  });
});

describe("Bitrix24 lookups for Smart Redirect", () => {
  function lookups(fake: FakeBitrix24) {
    const client = new Bitrix24Client({ webhookUrl: () => fake.webhookUrl });
    const users = new UserDirectory(client, () => 600_000, captureLog().log);
    const finder = new Bitrix24Finder(client, users, () => 300_000);
    cleanups.push(() => fake.stop());
    return new CrmLookups(() => new Map([["bitrix24", finder]]));
  }

  test("a contact saved as 8 (029) 123-45-67 is found for +375291234567: its name and its responsible manager's extension; then cached", async () => {
    const fake = portal();
    const crm = lookups(fake);
    const answer = await crm.lookup(["bitrix24"], phoneMatch("80291234567", "BY")!, 2000);
    expect(answer).toMatchObject({ integration: "bitrix24", name: "Алексей Клиентов", extension: "150" });
    expect(fake.requests.map((r) => r.params.PHONE_NUMBER)).toEqual(["+375291234567", "80291234567"]);
    expect((await crm.lookup(["bitrix24"], phoneMatch("+375291234567", "BY")!, 2000)).notes).toEqual(["bitrix24 (cached): customer Алексей Клиентов, manager at extension 150"]);
    expect(fake.requests).toHaveLength(2);
  });

  test("a portal that does not answer in time: no answer within the budget, the reason noted, and its late answer cached", async () => {
    const fake = portal();
    fake.holdMs = 300;
    fake.fail("*", "lost-answer");
    const crm = lookups(fake);
    const started = performance.now();
    const answer = await crm.lookup(["retailcrm", "bitrix24"], phoneMatch("+375291234567", "BY")!, 100);
    expect(performance.now() - started).toBeLessThan(250);
    expect(answer).toEqual({ notes: ["retailcrm is not configured (integrations.retailcrm)", expect.stringMatching(/^bitrix24: no answer within \d+ ms$/)] });
    await Bun.sleep(600);
    expect((await crm.lookup(["bitrix24"], phoneMatch("+375291234567", "BY")!, 100)).name).toBe("Алексей Клиентов");
  });

  test("an unknown caller is cached as unknown", async () => {
    const fake = portal();
    const crm = lookups(fake);
    expect((await crm.lookup(["bitrix24"], phoneMatch("+66812345678", "TH")!, 2000)).notes).toEqual(["bitrix24: knows no customer with this number"]);
    const before = fake.requests.length;
    expect((await crm.lookup(["bitrix24"], phoneMatch("+66812345678", "TH")!, 2000)).notes).toEqual(["bitrix24 (cached): knows no customer with this number"]);
    expect(fake.requests.length).toBe(before);
  });
});
