import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigStore } from "../../src/config/store.ts";
import { openHistory } from "../../src/history/db.ts";
import { insertCall } from "../../src/history/record.ts";
import { callLegs, smartDecisions } from "../../src/history/schema.ts";
import { createApp } from "../../src/http/app.ts";
import type { AppDeps } from "../../src/http/deps.ts";
import { createMetrics } from "../../src/http/metrics.ts";
import { historySources } from "../../src/smart/history-sources.ts";
import { SmartService } from "../../src/smart/service.ts";
import { callsCsv, csvCell } from "../../src/ui/csv.ts";
import { parseDay } from "../../src/ui/format.ts";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { callRow } from "../helpers/history.ts";
import { admin, ENV, SMART_CONFIG, testApp } from "../helpers/http-app.ts";
import { indexOf } from "../helpers/tracking.ts";
import { trackingAgainstFake } from "../helpers/tracking-service.ts";
import { waitFor } from "../helpers/wait.ts";
import { signIn } from "./sign-in.ts";

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
});

const at = (local: string) => new Date(local).getTime();
/** The text of a page without its tags, white space squeezed: what a person reads. */
const words = (page: string) => page.replace(/<[^>]+>/g, " ").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&amp;/g, "&").replace(/\s+/g, " ");

describe("history", () => {
  function withCalls() {
    const t = testApp();
    const ids = {
      anna: insertCall(t.history, callRow({ externalNumber: "+375291234567", externalNumberRaw: "80291234567", callerName: "Anna", startedAt: at("2026-11-20T10:00:00"), status: "answered", digits: "7,1", routeKind: "queue", destination: "10001", answeredExtension: "1001", waitSeconds: 12, talkSeconds: 65 })),
      busy: insertCall(t.history, callRow({ externalNumber: "+375441112233", startedAt: at("2026-11-21T09:00:00"), status: "busy", did: "0298765432" })),
      anna2: insertCall(t.history, callRow({ externalNumber: "+375291234567", startedAt: at("2026-11-22T11:00:00"), status: "abandoned" })),
    };
    return { ...t, ids };
  }
  const rowsOf = (page: string) => [...page.matchAll(/href="\/ui\/calls\/(\d+)"/g)].map((m) => Number(m[1]));

  test("search by the number in any spelling, DID, status and a date range (whole days, local time)", async () => {
    const t = withCalls();
    const s = await signIn(t.app);
    const page = async (query: string) => (await s.get(`/ui/history?${query}`)).text();
    expect(rowsOf(await page(""))).toEqual([t.ids.anna2, t.ids.busy, t.ids.anna]);
    expect(rowsOf(await page("phone=8029+123-45-67"))).toEqual([t.ids.anna2, t.ids.anna]);
    expect(rowsOf(await page("did=0298765432"))).toEqual([t.ids.busy]);
    expect(rowsOf(await page("status=answered"))).toEqual([t.ids.anna]);
    expect(rowsOf(await page("from=2026-11-21&to=2026-11-21"))).toEqual([t.ids.busy]);
    expect(rowsOf(await page("from=2026-11-21"))).toEqual([t.ids.anna2, t.ids.busy]);
    expect(rowsOf(await page("to=2026-11-20"))).toEqual([t.ids.anna]);
    const text = words(await page("status=answered"));
    expect(text).toContain("+375291234567 Anna 0212345678 answered keys 7, 1 → queue 10001 Olga Sidorova (1001) 0:12 1:05");
    const bad = words(await page("status=gone&from=2026-13-40"));
    expect(bad).toContain('unknown status "gone": one of answered,');
    expect(bad).toContain('"From" is not a date: 2026-13-40');
    expect(bad).toContain("No calls.");
  });

  test("pages of 50, newest first, with a link to the older ones that keeps the search", async () => {
    const t = testApp();
    const ids = Array.from({ length: 53 }, (_, i) => insertCall(t.history, callRow({ externalNumber: "+375291234567", startedAt: at("2026-11-20T10:00:00") + i * 60_000 })));
    const s = await signIn(t.app);
    const first = await (await s.get("/ui/history?phone=%2B375291234567")).text();
    expect(rowsOf(first)).toEqual(ids.slice(3).reverse());
    const older = /href="(\/ui\/history\?[^"]+)" rel="next"/.exec(first)![1]!.replace(/&amp;/g, "&");
    expect(older).toBe(`/ui/history?phone=%2B375291234567&before=${ids[3]}`);
    const second = await (await s.get(older)).text();
    expect(rowsOf(second)).toEqual(ids.slice(0, 3).reverse());
    expect(second).not.toContain('rel="next"');
    expect(second).toContain("← Newest calls");
  });

  test("CSV export: the API's columns, streamed a page at a time, bounded, formulas in caller names defused", async () => {
    const t = withCalls();
    insertCall(t.history, callRow({ externalNumber: "+375291234567", callerName: '=HYPERLINK("http://x","a,b")', startedAt: at("2026-11-22T12:00:00") }));
    const s = await signIn(t.app);
    const res = await s.get("/ui/history.csv?phone=80291234567");
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="calls-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toStartWith("id,uniqueid,linkedid,source,direction,started_at,");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`,"'=HYPERLINK(""http://x"",""a,b"")",`);
    expect(lines[3]).toContain(",+375291234567,80291234567,Anna,0212345678,\"7,1\",queue,10001,answered,");
    // The API's clients can export too, with the bearer token.
    expect((await t.app.request("/ui/history.csv", admin())).status).toBe(200);
    expect((await s.get("/ui/history.csv?status=gone")).status).toBe(400);
    // Bounded: no more than maxRows, however many match.
    const bounded = await new Response(callsCsv(t.history, {}, 2)).text();
    expect(bounded.trimEnd().split("\r\n")).toHaveLength(3);
    const empty = await new Response(callsCsv(t.history, { did: "none" })).text();
    expect(empty).toStartWith("id,uniqueid,");
    expect(empty.trimEnd().split("\r\n")).toHaveLength(1);
  });

  test("csvCell: quoting and spreadsheet formulas", () => {
    expect(csvCell("+375291234567")).toBe("+375291234567");
    expect(csvCell("-12")).toBe("-12");
    expect(csvCell("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell('say "hi", bye')).toBe('"say ""hi"", bye"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(true)).toBe("true");
  });

  test("a call's detail: the facts, and a timeline with the IVR's keys, the queue, the legs and the Smart Redirect decision with its reason", async () => {
    const t = testApp();
    const start = at("2026-11-20T10:00:00");
    const id = insertCall(
      t.history,
      callRow({ uniqueid: "1795264116.3", externalNumber: "+375291234567", startedAt: start, answeredAt: start + 20_000, endedAt: start + 80_000, status: "answered", digits: "1", routeKind: "queue", destination: "10001", queue: "10001", queueJoinedAt: start + 8000, answeredExtension: "1001", waitSeconds: 12, talkSeconds: 60, tracked: true, line: "PJSIP/mtt" }),
    );
    t.history.db.insert(callLegs).values([
      { callId: id, position: 0, uniqueid: "1795264116.3", channel: "PJSIP/mtt-00000001", endpoint: "PJSIP/mtt", role: "origin", trunk: true, number: "+375291234567" },
      { callId: id, position: 1, uniqueid: "1795264116.4", channel: "PJSIP/1001-00000002", endpoint: "PJSIP/1001", role: "dialed", trunk: false, number: "1001", queue: "10001", ringAt: start + 9000, answeredAt: start + 20_000, endedAt: start + 80_000, ringSeconds: 11, talkSeconds: 60, dialStatus: "ANSWER" },
    ]).run();
    t.history.db.insert(smartDecisions).values({ at: start + 1000, via: "agi", enterprise: "0367", uniqueid: "1795264116.3", phone: "+375291234567", trunk: "0001363", mode: "routing+name", rule: null, outcome: "no_match", reason: "no rule found a manager", latencyMs: 1.2, cached: false }).run();
    const s = await signIn(t.app);
    const page = words(await (await s.get(`/ui/calls/${id}`)).text());
    expect(page).toContain("Caller +375291234567");
    expect(page).toContain("Line PJSIP/mtt");
    expect(page).toContain("Answered by Olga Sidorova (1001)");
    const timeline = page.slice(page.indexOf("Timeline"), page.indexOf("Legs"));
    const order = ["Call started (inbound) from +375291234567 to DID 0212345678", "Smart Redirect (agi, enterprise 0367): no_match no rule found a manager", "IVR: keys 1 → queue 10001", "Joined queue 10001", "Ringing 1001 PJSIP/1001", "1001 answered", "Answered by 1001", "1001 left dial status ANSWER", "Call ended: answered"];
    let last = -1;
    for (const step of order) {
      const index = timeline.indexOf(step);
      expect([step, index > last]).toEqual([step, true]);
      last = index;
    }
    expect(page).toContain("Why: no rule found a manager");
    expect((await s.get("/ui/calls/999")).status).toBe(404);
  });
});

describe("statistics", () => {
  test("calls per hour and answer rate as charts with a table, by DID and by manager, average wait and talk", async () => {
    const t = testApp();
    const day = at("2026-11-20T00:00:00");
    const add = (hour: number, status: string, extra: Record<string, unknown> = {}) => insertCall(t.history, callRow({ startedAt: day + hour * 3_600_000 + 60_000, status, ...extra }));
    add(9, "answered", { answeredExtension: "1001", waitSeconds: 10, talkSeconds: 100 });
    add(9, "answered", { answeredExtension: "152", waitSeconds: 20, talkSeconds: 200, did: "0298765432" });
    add(9, "abandoned");
    add(14, "answered", { answeredExtension: "101", waitSeconds: 30, talkSeconds: 60 });
    add(14, "busy", { did: "0298765432" });
    const s = await signIn(t.app);
    const html = await (await s.get("/ui/stats?from=2026-11-20&to=2026-11-20")).text();
    expect(html).toContain('role="img" aria-labelledby="calls-chart-title calls-chart-desc"');
    expect(html).toContain("<title>2026-11-20 09:00: 3 calls, 2 answered</title>");
    expect(html).toContain("<title>2026-11-20 14:00: 50 % of 2</title>");
    expect(html.match(/<title>2026-11-20 \d\d:00: 0 calls, 0 answered<\/title>/g)).toHaveLength(22);
    const text = words(html);
    expect(text).toContain("Calls 5 Answered 3 Answer rate 60 % Average wait 0:20 Average talk 2:00");
    expect(text).toContain("2026-11-20 09:00 3 2 66.7 %");
    expect(text).toContain("0212345678 3 2 66.7 % 0:20 1:20");
    expect(text).toContain("0298765432 2 1 50 % 0:20 3:20");
    // Olga has 1001 and 152; Ivan has 101 (the Smart Redirect users of the config).
    expect(text).toContain("Olga Sidorova 1001, 152 2 0:15 2:30");
    expect(text).toContain("Ivan Petrov 101 1 0:30 1:00");
    // A week is drawn per day.
    const week = await (await s.get("/ui/stats?from=2026-11-16&to=2026-11-22")).text();
    expect(week).toContain("<title>2026-11-20: 5 calls, 3 answered</title>");
    expect(week.match(/<title>2026-11-\d\d: \d+ calls/g)).toHaveLength(7);
    expect(words(await (await s.get("/ui/stats?from=nope")).text())).toContain('"From" is not a date: nope');
  });

  test("parseDay reads only real dates", () => {
    expect(parseDay("2026-11-20")).toBe(at("2026-11-20T00:00:00"));
    for (const bad of ["2026-02-30", "20-11-2026", "", undefined, "2026-11-20T00:00"]) expect(parseDay(bad)).toBeUndefined();
  });
});

describe("tools", () => {
  test("the Smart Redirect test call, explained step by step, with nothing cached or logged", async () => {
    const t = testApp();
    insertCall(t.history, callRow({ externalNumber: "+375291234567", status: "answered", answeredExtension: "101", callerName: "Alexei Client" }));
    const s = await signIn(t.app);
    const page = words(await (await s.post("/ui/tools/smart-test", { enterprise: "0367", phone: "80291234567", line: "0001363", load_dial_plan: "true" })).text());
    expect(page).toContain('The PBX would get {"Name": "Alexei Client", "DialPlan": "mngr33_0001363_1"}');
    expect(page).toContain("routed by rule last_call");
    expect(page).toContain("Step by step name : name from call history: Alexei Client last_call : extension 101 (phone 33 of");
    expect(page).toContain("nothing cached or logged");
    const missing = await s.post("/ui/tools/smart-test", { enterprise: "0367", phone: "", line: "0001363" });
    expect(missing.status).toBe(400);
    expect(words(await missing.text())).toContain("The caller's number and the line are required.");
    expect(words(await (await s.post("/ui/tools/smart-test", { enterprise: "9999", phone: "1", line: "1" })).text())).toContain('No enterprise "9999" under smart.enterprises.');
  });

  test("the IVR simulation: what ivr simulate prints, from the page and from POST /api/simulate", async () => {
    const t = testApp();
    const s = await signIn(t.app);
    const page = words(await (await s.post("/ui/tools/simulate", { did: "0212345678", caller: "+375291234567", press: "1", result: "busy" })).text());
    expect(page).toContain('Simulated call to 0212345678 from +375291234567: menu default of');
    expect(page).toContain("> EXEC Queue 10001");
    expect(page).toContain("Outcome: unavailable, queue 10001");
    const res = await t.app.request("/api/simulate", admin({ method: "POST", body: JSON.stringify({ did: "0212345678", press: "h" }) }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { conversation: string[]; outcome: string; failed: boolean };
    expect(body.conversation).toContain("< HANGUP");
    expect(body.outcome).toStartWith("Outcome: hungup_in_menu");
    expect(body.failed).toBe(false);
    const bad = await t.app.request("/api/simulate", admin({ method: "POST", body: JSON.stringify({ did: "0212345678", press: "1x" }) }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'press takes at most 64 of the keys 0-9 * #, "," to let a timeout pass and "h" to hang up' });
    expect((await t.app.request("/api/simulate", admin({ method: "POST", body: "[]" }))).status).toBe(400);
    expect((await s.post("/ui/tools/simulate", { did: "" })).status).toBe(400);
  });

  test("the config status: file and generation; a bad edit shows its errors with file:line:col until the file reads well again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-ui-config-"));
    const file = join(dir, "ivr.yaml");
    const good = "server:\n  admin_token: ${IVR_TEST_ADMIN_TOKEN}\ndefault:\n  queues: { \"1\": \"10001\" }\n";
    writeFileSync(file, good);
    const { log } = captureLog();
    const store = ConfigStore.open(file, log);
    const history = openHistory(join(dir, "ivr.sqlite"));
    const deps: AppDeps = {
      snapshot: () => store.current,
      smart: new SmartService({ snapshot: () => store.current, sources: historySources(history), log, env: ENV }),
      history,
      metrics: createMetrics({ fastagiSessions: () => 0 }),
      clientIp: () => "127.0.0.1",
      log,
      version: "test",
      startedAt: Date.now(),
      env: ENV,
      configReload: () => store.lastReload,
    };
    const app = createApp(deps);
    const s = await signIn(app);
    expect(words(await (await s.get("/ui/tools")).text())).toContain(`File ${file} Generation 1 Loaded`);
    expect(words(await (await s.get("/ui/tools")).text())).toContain("No reload since ivr serve started.");

    writeFileSync(file, `${good}  dial_timeout_seconds: soon\n`);
    expect(await store.reload()).toBe(false);
    const broken = words(await (await s.get("/ui/tools")).text());
    expect(broken).toContain("The last edit of the config was not loaded");
    expect(broken).toContain("generation 1 stays in force");
    expect(broken).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:5:25: default\\.dial_timeout_seconds: `));

    writeFileSync(file, good); // reverted to the config in force: nothing new to load, but the error is gone
    expect(await store.reload()).toBe(false);
    expect(store.lastReload).toMatchObject({ ok: true, errors: [] });
    expect(words(await (await s.get("/ui/tools")).text())).toContain("Last reload: read without errors");
  });

  test("health: AMI off, the history's writes, Smart Redirect enterprises", async () => {
    const t = testApp();
    const s = await signIn(t.app);
    const page = words(await (await s.get("/ui/tools")).text());
    expect(page).toContain("AMI Off: the config has no ami: section.");
    expect(page).toContain("FastAGI sessions now: 3");
    expect(page).toContain("Enterprise 0367 : mode routing+name, 2 lines, 2 users");
  });
});

describe("live", () => {
  test("without AMI: says so, and shows the IVR's calls in progress and the recent calls", async () => {
    const t = testApp();
    insertCall(t.history, callRow({ externalNumber: "+375291234567", callerName: "Anna" }));
    const s = await signIn(t.app);
    const page = await (await s.get("/ui")).text();
    expect(words(page)).toContain("Call tracking over AMI is off (the config has no ami: section)");
    expect(words(page)).toContain("Calls in the IVR now: 3");
    expect(page).toContain('data-refresh="/ui/recent"');
    expect(page).not.toContain('id="live-data"');
    expect(words(await (await s.get("/ui/recent")).text())).toContain("+375291234567 Anna");
  });

  test("with AMI: the calls in progress embedded with the last event id, history names looked up by number", async () => {
    const config = { ...(await import("../../src/config/load.ts")).loadConfigFile(SMART_CONFIG).config, country: "TH" };
    const setup = trackingAgainstFake({ config });
    running.push(setup.stop);
    await setup.ready();
    insertCall(setup.history, callRow({ externalNumber: "+66812223333", callerName: "Khun Somchai" }));
    const { app } = testApp({ config, tracking: setup.tracking, history: setup.history });
    const events = amiEvents("ivr-queue-and-dial");
    setup.fake.play(events.slice(0, indexOf(events, "BridgeEnter", { Uniqueid: "1795264200.51" }) + 1));
    await waitFor(() => setup.tracking.tracker.active.get("1795264200.50")?.answeredAt !== undefined, "the call answered");
    const s = await signIn(app);
    const page = await (await s.get("/ui")).text();
    const data = JSON.parse(/<script type="application\/json" id="live-data">(.*?)<\/script>/s.exec(page)![1]!) as { calls: Array<Record<string, unknown>>; lastEventId: number; names: Record<string, string | null> };
    expect(data.lastEventId).toBe(setup.tracking.feed.lastId);
    expect(data.calls.map((c) => [c.id, c.state, c.answered_user])).toContainEqual(["1795264200.50", "answered", "Olga Sidorova"]);
    expect(data.names["+66812223333"]).toBe("Khun Somchai");
    expect(page).toContain("AMI connected to ivr@127.0.0.1:");
    expect(await (await s.get("/ui/names?phone=%2B66812223333&phone=%2B1999")).json()).toEqual({ "+66812223333": "Khun Somchai", "+1999": null });
  });
});
