import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load.ts";
import { openHistory } from "../../src/history/db.ts";
import { insertCall } from "../../src/history/record.ts";
import { smartDecisions } from "../../src/history/schema.ts";
import { historyOverrides } from "../../src/schedules/override-reader.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { callRow } from "../helpers/history.ts";
import { admin, macroRequest, SMART_CONFIG, testApp } from "../helpers/http-app.ts";

/** The Smart Redirect fixture with schedules: enterprise 0367 keeps "never" hours (always closed). */
const config = parseConfig(
  `${readFileSync(SMART_CONFIG, "utf8").replace("      rate_limit_per_second: 20\n", "      rate_limit_per_second: 20\n      schedule: never\n")}
schedules:
  always:
    timezone: Europe/Berlin
    hours: { mon-sun: ["00:00-24:00"] }
  never:
    timezone: Asia/Bangkok
`,
  "ivr.yaml",
);
config.dids!["0298765432"] = { ...config.dids!["0298765432"], schedule: "never" };

const put = (body: unknown) => admin({ method: "PUT", headers: { "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
const json = async (res: Response) => (await res.json()) as Record<string, any>;

describe("GET /api/schedules", () => {
  test("admin only", async () => {
    const t = testApp({ config });
    expect((await t.app.request("/api/schedules")).status).toBe(401);
  });

  test("each schedule now: state, why, next change, override, who uses it", async () => {
    const t = testApp({ config });
    const body = await json(await t.app.request("/api/schedules", admin()));
    expect(body.schedules.map((s: { name: string }) => s.name)).toEqual(["always", "never"]);
    const [always, never] = body.schedules;
    expect(always).toMatchObject({ timezone: "Europe/Berlin", open: true, next_change: null, override: null, dids: [], enterprises: [] });
    expect(always.reason).toMatch(/^(mon|tue|wed|thu|fri|sat|sun) 00:00-24:00$/);
    expect(never).toMatchObject({ timezone: "Asia/Bangkok", open: false, next_change: null, override: null, dids: ["0298765432"], enterprises: ["0367"] });
    expect(never.scheduled).toEqual({ open: false, reason: never.reason, next_change: null });
    expect(never.local_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} \+07:00$/);
    expect((await t.app.request("/api/schedules/nope", admin())).status).toBe(404);
  });
});

describe("PUT and DELETE /api/schedules/:name/override", () => {
  test("force open until cleared, then clear: the schedule rules again", async () => {
    const t = testApp({ config });
    const set = await t.app.request("/api/schedules/never/override", put({ state: "open", until: "cleared" }));
    expect(set.status).toBe(200);
    const forced = await json(set);
    expect(forced).toMatchObject({ name: "never", open: true, reason: "override: forced open until cleared", next_change: null, scheduled: { open: false } });
    expect(forced.override).toMatchObject({ state: "open", until: "cleared", ends_at: null });
    expect((await json(await t.app.request("/api/schedules/never", admin()))).open).toBe(true);

    const cleared = await t.app.request("/api/schedules/never/override", admin({ method: "DELETE" }));
    expect(await json(cleared)).toMatchObject({ name: "never", open: false, override: null, cleared: true });
    expect((await json(await t.app.request("/api/schedules/never/override", admin({ method: "DELETE" })))).cleared).toBe(false);
  });

  test("until defaults to next_change (temporary)", async () => {
    const t = testApp({ config });
    const body = await json(await t.app.request("/api/schedules/always/override", put({ state: "closed" })));
    expect(body).toMatchObject({ open: false, override: { state: "closed", until: "next_change" } });
  });

  test("bad requests: 400 with the reason, 404 for a schedule that does not exist, admin only", async () => {
    const t = testApp({ config });
    const reasons = async (body: unknown) => {
      const res = await t.app.request("/api/schedules/never/override", put(body));
      return [res.status, (await json(res)).error];
    };
    expect(await reasons({ state: "opened" })).toEqual([400, 'state must be "open" or "closed"']);
    expect(await reasons({ state: "open", until: "tomorrow" })).toEqual([400, 'until must be "next_change" (a temporary override) or "cleared" (until DELETE)']);
    expect(await reasons({ state: "open", for: 3600 })).toEqual([400, 'unknown field "for": the body is {"state", "until"}']);
    expect(await reasons("{not json")).toEqual([400, 'the body must be JSON: {"state": "open"|"closed", "until": "next_change"|"cleared"}']);
    expect(await reasons(["open"])).toEqual([400, "the body must be a JSON object"]);
    expect((await t.app.request("/api/schedules/nope/override", put({ state: "open" }))).status).toBe(404);
    expect((await t.app.request("/api/schedules/never/override", { method: "PUT", body: '{"state":"open"}' })).status).toBe(401);
    expect((await json(await t.app.request("/api/schedules/never", admin()))).override).toBeNull();
  });

  test("an override survives a restart (real SQLite), and per-call processes read it from the history", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ivr-schedules-")), "ivr.sqlite");
    const first = openHistory(path);
    const before = testApp({ config, history: first });
    expect((await before.app.request("/api/schedules/never/override", put({ state: "open", until: "cleared" }))).status).toBe(200);
    first.close();

    const second = openHistory(path);
    const after = testApp({ config, history: second });
    const body = await json(await after.app.request("/api/schedules/never", admin()));
    expect(body).toMatchObject({ open: true, override: { state: "open", until: "cleared" } });

    const { log } = captureLog();
    expect(historyOverrides(path, log)("never")).toMatchObject({ state: "open", until: "cleared" });
    expect(historyOverrides(path, log)("always")).toBeUndefined();

    await after.app.request("/api/schedules/never/override", admin({ method: "DELETE" }));
    expect(historyOverrides(path, log)("never")).toBeUndefined();
    second.close();
  });
});

describe("Smart Redirect with an enterprise schedule", () => {
  test("outside hours: the name, no routing, and the decision (logged) says why", async () => {
    const t = testApp({ config });
    insertCall(t.history, callRow({ externalNumber: "+375291234567", status: "answered", answeredExtension: "150", callerName: "Alexei Client", startedAt: 1_000 }));
    const res = await t.app.request("/api/callevent/getcustomerdata", macroRequest("80291234567"));
    expect(await res.json()).toEqual({ Name: "Alexei Client", DialPlan: null });
    t.queue.flush();
    const row = t.history.db.select().from(smartDecisions).get();
    expect(row).toMatchObject({ outcome: "closed", name: "Alexei Client", dialPlan: null });
    expect(row!.reason).toStartWith("outside hours: schedule never is closed (no hours on ");
  });

  test("the test call explains it step by step", async () => {
    const t = testApp({ config });
    const request = admin({ method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ enterprise: "0367", phone: "80291234567", line: "0001363" }) });
    const { decision } = await json(await t.app.request("/api/smart/test", request));
    expect(decision.outcome).toBe("closed");
    expect(decision.steps.at(-1)).toEqual({ rule: "schedule", result: decision.reason });
  });
});
