import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { loadConfigFile } from "../../src/config/load.ts";
import { insertCall } from "../../src/history/record.ts";
import { smartDecisions } from "../../src/history/schema.ts";
import { callRow } from "../helpers/history.ts";
import { admin, macroRequest, SMART_CONFIG, testApp, TOKEN } from "../helpers/http-app.ts";

const CLIENT = "+375291234567";
const URL_ = "/api/callevent/getcustomerdata";

/** A returning customer: Ivan's extension 150 answered their last call. */
function withHistory() {
  const t = testApp();
  insertCall(t.history, callRow({ externalNumber: CLIENT, status: "answered", answeredExtension: "152", callerName: "Alexei Client", startedAt: 1_000 }));
  insertCall(t.history, callRow({ externalNumber: CLIENT, status: "answered", answeredExtension: "150", startedAt: 2_000 }));
  return t;
}

describe("POST /api/callevent/getcustomerdata, the legacy macro's contract", () => {
  test("the macro's exact request -> exactly {Name, DialPlan}", async () => {
    const t = withHistory();
    const res = await t.app.request(URL_, macroRequest("80291234567"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("application/json");
    expect(await res.text()).toBe('{"Name":"Alexei Client","DialPlan":"mngr31_0001363_1"}');
  });

  test("the same fields as a form (what the generated CURL Gosub posts)", async () => {
    const t = withHistory();
    const res = await t.app.request(URL_, {
      method: "POST",
      headers: { Token: TOKEN, "Content-Type": "application/x-www-form-urlencoded" },
      body: "UniqueId=1795264116.3&Phone=80291234567&TrunkId=0001363&LoadDialPlan=true",
    });
    expect(await res.text()).toBe('{"Name":"Alexei Client","DialPlan":"mngr31_0001363_1"}');
  });

  test("the macro's JSON labelled form-encoded (CURL()'s default without headers) is still JSON", async () => {
    const t = withHistory();
    const request = macroRequest("80291234567");
    const res = await t.app.request(URL_, { ...request, headers: { ...request.headers, "Content-Type": "application/x-www-form-urlencoded" } });
    expect(await res.text()).toBe('{"Name":"Alexei Client","DialPlan":"mngr31_0001363_1"}');
    const broken = await t.app.request(URL_, { method: "POST", headers: { Token: TOKEN, "Content-Type": "application/x-www-form-urlencoded" }, body: '{"Phone": 8029' });
    expect(((await broken.json()) as { error: string }).error).toStartWith("malformed JSON");
  });

  test("an unknown caller -> both null; LoadDialPlan false -> no DialPlan", async () => {
    const t = withHistory();
    expect(await (await t.app.request(URL_, macroRequest("80441112233"))).json()).toEqual({ Name: null, DialPlan: null });
    const noPlan = macroRequest("80291234567");
    noPlan.body = noPlan.body.replace('"LoadDialPlan":"true"', '"LoadDialPlan":"false"');
    expect(await (await t.app.request(URL_, noPlan)).json()).toEqual({ Name: "Alexei Client", DialPlan: null });
  });

  test("missing and wrong token: 401 with the reason", async () => {
    const t = withHistory();
    const missing = await t.app.request(URL_, macroRequest("80291234567", "0001363", null));
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: "the Token header is missing" });
    const wrong = await t.app.request(URL_, macroRequest("80291234567", "0001363", `${TOKEN}x`));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "unknown token" });
  });

  test("a token whose ${ENV_VAR} is not set is refused, and the log says which", async () => {
    const t = testApp({ env: {} });
    expect((await t.app.request(URL_, macroRequest("80291234567"))).status).toBe(401);
    expect(t.log()).toContain("enterprise 0367: its token refers to ${SMART_TOKEN_0367}, which is not set");
  });

  test("an address outside allow_ips: 403", async () => {
    const t = withHistory();
    t.from("10.88.10.20");
    const res = await t.app.request(URL_, macroRequest("80291234567"));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "10.88.10.20 is not allowed for this enterprise" });
    t.from("10.88.10.19");
    expect((await t.app.request(URL_, macroRequest("80291234567"))).status).toBe(200);
  });

  test("malformed JSON and missing fields: 400 with the reason", async () => {
    const t = withHistory();
    const broken = await t.app.request(URL_, { ...macroRequest("1"), body: '{"Phone": "8029' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toStartWith("malformed JSON");
    const noPhone = await t.app.request(URL_, { ...macroRequest("1"), body: '{"TrunkId":"0001363"}' });
    expect(await noPhone.json()).toEqual({ error: "Phone is required" });
    const array = await t.app.request(URL_, { ...macroRequest("1"), body: "[]" });
    expect(await array.json()).toEqual({ error: "the body must be a JSON object" });
    const badFlag = await t.app.request(URL_, { ...macroRequest("1"), body: '{"Phone":"1","TrunkId":"2","LoadDialPlan":"maybe"}' });
    expect(badFlag.status).toBe(400);
  });

  test("an oversize body: 413", async () => {
    const t = withHistory();
    const res = await t.app.request(URL_, { ...macroRequest("1"), body: JSON.stringify({ Phone: "1", TrunkId: "2", pad: "x".repeat(5000) }) });
    expect(res.status).toBe(413);
  });

  test("the rate limit per token and address trips with 429; another address still gets through", async () => {
    const t = withHistory(); // rate_limit_per_second 20: a burst of 40
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await t.app.request(URL_, macroRequest("80291234567"))).status);
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(40)).toContain(429);
    t.from("10.88.10.19");
    expect((await t.app.request(URL_, macroRequest("80291234567"))).status).toBe(200);
  });

  test("without rate_limit_per_second a busy PBX is never throttled: 1,500 requests at once all routed; bad tokens still stop at 10", async () => {
    const config = loadConfigFile(SMART_CONFIG).config;
    delete config.smart!.enterprises!["0367"]!.rate_limit_per_second;
    const t = testApp({ config });
    insertCall(t.history, callRow({ externalNumber: CLIENT, status: "answered", answeredExtension: "150", startedAt: 2_000 }));
    const statuses = await Promise.all(Array.from({ length: 1500 }, async () => (await t.app.request(URL_, macroRequest("80291234567"))).status));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const bad: number[] = [];
    for (let i = 0; i < 12; i++) bad.push((await t.app.request(URL_, macroRequest("80291234567", "0001363", "not-the-token-0123456789"))).status);
    expect(bad.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(bad.slice(10)).toEqual([429, 429]);
  });

  test("never a 5xx to the PBX: a failing history gives nulls", async () => {
    const t = withHistory();
    t.history.close(); // every lookup now throws
    const res = await t.app.request(URL_, macroRequest("80291234567"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Name: null, DialPlan: null });
  });

  test("every decision is logged: a database row and a JSON line", async () => {
    const t = withHistory();
    await t.app.request(URL_, macroRequest("80291234567"));
    t.queue.flush();
    const row = t.history.db.select().from(smartDecisions).get();
    expect(row).toMatchObject({ via: "http", enterprise: "0367", uniqueid: "1795264116.3", phoneRaw: "80291234567", phone: CLIENT, trunk: "0001363", mode: "routing+name", rule: "last_call", outcome: "routed", dialPlan: "mngr31_0001363_1", cached: false });
    const line = JSON.parse(readFileSync(t.decisionLogFile, "utf8").trim());
    expect(line).toMatchObject({ enterprise: "0367", outcome: "routed", dial_plan: "mngr31_0001363_1", rule: "last_call" });
    expect(line.steps.length).toBeGreaterThan(0);
    expect(JSON.stringify(line)).not.toContain(TOKEN);
  });

  test("/metrics counts requests by outcome, cache hits and latency", async () => {
    const t = withHistory();
    await t.app.request(URL_, macroRequest("80291234567"));
    await t.app.request(URL_, macroRequest("+375291234567")); // same caller: a cache hit
    await t.app.request(URL_, macroRequest("80291234567", "0001363", "nope-nope-nope-nope"));
    const text = await (await t.app.request("/metrics")).text();
    expect(text).toContain('ivr_smart_requests_total{outcome="routed"} 2');
    expect(text).toContain('ivr_smart_requests_total{outcome="unauthorized"} 1');
    expect(text).toContain('ivr_smart_cache_total{result="hit"} 1');
    expect(text).toContain('ivr_smart_decisions_total{rule="last_call"} 2');
    expect(text).toContain("ivr_smart_request_duration_seconds_count 2");
    expect(text).toContain("ivr_fastagi_sessions 3");
  });

  test("a config reload takes effect at once (a phone removed from the config is no longer routed to)", async () => {
    const t = withHistory();
    const config = loadConfigFile(SMART_CONFIG).config;
    const users = config.smart!.enterprises!["0367"]!.users!;
    expect(await (await t.app.request(URL_, macroRequest("80291234567"))).json()).toMatchObject({ DialPlan: "mngr31_0001363_1" });
    users[0]!.phones = users[0]!.phones.filter((phone) => phone.number !== "150");
    t.reload(config);
    // last_call's extension 150 is gone: first_call's 152 (Olga) decides.
    expect(await (await t.app.request(URL_, macroRequest("80291234567"))).json()).toMatchObject({ DialPlan: "mngr37_0001363_1" });
  });
});

describe("the test call and the cache", () => {
  test("POST /api/smart/test explains the decision and changes nothing", async () => {
    const t = withHistory();
    const res = await t.app.request("/api/smart/test", admin({ method: "POST", body: JSON.stringify({ enterprise: "0367", phone: "80291234567", line: "0001363" }) }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response: unknown; decision: { steps: unknown[] } };
    expect(body.response).toEqual({ Name: "Alexei Client", DialPlan: "mngr31_0001363_1" });
    expect(body.decision.steps).toContainEqual({ rule: "last_call", result: "extension 150 (phone 31 of Ivan Petrov) -> mngr31_0001363_1" });
    t.queue.flush();
    expect(t.history.db.select().from(smartDecisions).all()).toEqual([]);
    expect(await (await t.app.request("/api/smart/cache/clear", admin({ method: "POST" }))).json()).toEqual({ cleared: 0 });
  });

  test("the test call needs the admin token; an unknown enterprise is a 404", async () => {
    const t = withHistory();
    const body = JSON.stringify({ enterprise: "0367", phone: "80291234567", line: "0001363" });
    expect((await t.app.request("/api/smart/test", { method: "POST", body })).status).toBe(401);
    expect((await t.app.request("/api/smart/test", admin({ method: "POST", body: body.replace("0367", "9999") }))).status).toBe(404);
  });

  test("POST /api/smart/cache/clear empties the cache", async () => {
    const t = withHistory();
    await t.app.request(URL_, macroRequest("80291234567"));
    expect(await (await t.app.request("/api/smart/cache/clear", admin({ method: "POST" }))).json()).toEqual({ cleared: 1 });
  });
});
