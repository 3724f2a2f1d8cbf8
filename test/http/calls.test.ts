import { describe, expect, test } from "bun:test";
import { loadConfigFile } from "../../src/config/load.ts";
import { insertCall } from "../../src/history/record.ts";
import { callRow } from "../helpers/history.ts";
import { admin, SMART_CONFIG, testApp } from "../helpers/http-app.ts";

function withCalls() {
  const t = testApp();
  const ids = [
    insertCall(t.history, callRow({ externalNumber: "+375291234567", status: "answered", did: "0212345678", talkSeconds: 60, waitSeconds: 5 })),
    insertCall(t.history, callRow({ externalNumber: "+375441112233", status: "busy", did: "0212345678" })),
    insertCall(t.history, callRow({ externalNumber: "+375291234567", status: "abandoned", did: "0298765432" })),
  ];
  return { ...t, ids };
}

type Listed = { calls: Array<{ id: number; external_number: string; started_at: string }>; next_before: number | null };

describe("admin API", () => {
  test("off without server.admin_token (403), 401 without or with a wrong bearer token", async () => {
    const config = loadConfigFile(SMART_CONFIG).config;
    delete config.server;
    const off = testApp({ config });
    expect(await (await off.app.request("/api/calls")).json()).toEqual({ error: "the admin API is off: set server.admin_token" });
    const t = withCalls();
    const none = await t.app.request("/api/calls");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="ivr"');
    expect((await t.app.request("/api/calls", { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await t.app.request("/api/calls", admin())).status).toBe(200);
  });

  test("wrong admin tokens are throttled per address (429); the right token still gets in, other addresses are not slowed", async () => {
    const t = withCalls();
    const wrong = { headers: { Authorization: "Bearer guess" } };
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await t.app.request(i % 2 ? "/api/calls" : "/api/smart/test", { ...wrong, method: i % 2 ? "GET" : "POST" })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(150);
    const throttled = await t.app.request("/api/stats", wrong);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(await throttled.json()).toEqual({ error: "too many wrong admin tokens from this address; wait and retry" });
    // While this address is throttled, the right token still works from it.
    expect((await t.app.request("/api/calls", admin())).status).toBe(200);
    t.from("10.0.0.9");
    expect((await t.app.request("/api/calls", wrong)).status).toBe(401);
  });

  test("GET /api/calls: newest first, any spelling of a number, paging", async () => {
    const t = withCalls();
    const all = (await (await t.app.request("/api/calls", admin())).json()) as Listed;
    expect(all.calls.map((c) => c.id)).toEqual([...t.ids].reverse());
    expect(all.calls[0]!.started_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const byPhone = (await (await t.app.request("/api/calls?phone=80291234567", admin())).json()) as Listed;
    expect(byPhone.calls.map((c) => c.external_number)).toEqual(["+375291234567", "+375291234567"]);
    const page = (await (await t.app.request("/api/calls?limit=2", admin())).json()) as Listed;
    expect(page.next_before).toBe(t.ids[1]!);
    const rest = (await (await t.app.request(`/api/calls?limit=2&before=${page.next_before}`, admin())).json()) as Listed;
    expect(rest).toMatchObject({ calls: [{ id: t.ids[0] }], next_before: null });
  });

  test("bad query values: 400 with the reason", async () => {
    const t = withCalls();
    expect(await (await t.app.request("/api/calls?limit=0", admin())).json()).toEqual({ error: "limit must be a whole number from 1 to 1000" });
    expect((await t.app.request("/api/calls?status=lost", admin())).status).toBe(400);
    expect((await t.app.request("/api/calls?status=interrupted", admin())).status).toBe(200);
    expect((await t.app.request("/api/calls?before=x", admin())).status).toBe(400);
    expect((await t.app.request("/api/stats?since=yesterday", admin())).status).toBe(400);
  });

  test("GET /api/calls/:id and its 404", async () => {
    const t = withCalls();
    expect(await (await t.app.request(`/api/calls/${t.ids[1]}`, admin())).json()).toMatchObject({ id: t.ids[1], status: "busy" });
    expect((await t.app.request("/api/calls/99999", admin())).status).toBe(404);
    expect((await t.app.request("/api/calls/abc", admin())).status).toBe(400);
  });

  test("GET /api/stats over a period", async () => {
    const t = withCalls();
    const stats = await (await t.app.request("/api/stats?since=0&until=2100-01-01T00:00:00Z", admin())).json();
    expect(stats).toMatchObject({ total: 3, byStatus: { answered: 1, busy: 1, abandoned: 1 }, answerRate: 33.3, averageTalkSeconds: 60, since: "1970-01-01T00:00:00.000Z" });
  });
});

describe("operations", () => {
  test("GET /health: ok with the config and database; 503 when the database is gone", async () => {
    const t = testApp();
    const ok = await t.app.request("/health");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: "ok", version: "test", config: { path: SMART_CONFIG, generation: 1 }, database: { status: "ok" }, fastagi: { sessions: 3 } });
    t.history.close();
    const down = await t.app.request("/health");
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: "degraded", database: { status: "error" } });
  });

  test("an unknown endpoint is a JSON 404", async () => {
    expect(await (await testApp().app.request("/api/nothing")).json()).toEqual({ error: "no such endpoint: GET /api/nothing" });
  });
});
