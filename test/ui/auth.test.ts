import { afterEach, describe, expect, setSystemTime, test } from "bun:test";
import { loadConfigFile } from "../../src/config/load.ts";
import { SCRIPT, STYLE } from "../../src/ui/assets.ts";
import { SessionStore } from "../../src/ui/sessions.ts";
import { safeNext } from "../../src/ui/sign-in.ts";
import { ADMIN, admin, SMART_CONFIG, testApp } from "../helpers/http-app.ts";
import { cookieOf, form, signIn } from "./sign-in.ts";

afterEach(() => setSystemTime());

const PAGES = ["/ui", "/ui/history", "/ui/stats", "/ui/tools", "/ui/calls/1", "/ui/recent", "/ui/names?phone=1", SCRIPT.path, "/ui/no-such-page"];

describe("signing in", () => {
  test("nothing but the sign-in page and its stylesheet without a session: pages send to the sign-in page, the API answers 401", async () => {
    const { app } = testApp();
    for (const path of PAGES) {
      const res = await app.request(path);
      expect([path, res.status]).toEqual([path, 303]);
      expect(res.headers.get("location")).toStartWith("/ui/sign-in");
    }
    expect((await app.request("/ui/history?phone=1")).headers.get("location")).toBe(`/ui/sign-in?next=${encodeURIComponent("/ui/history?phone=1")}`);
    expect((await app.request("/ui/history.csv")).status).toBe(401);
    expect((await app.request("/api/calls")).status).toBe(401);
    expect((await app.request("/api/simulate", { method: "POST", body: "{}" })).status).toBe(401);
    const signInPage = await app.request("/ui/sign-in");
    expect(signInPage.status).toBe(200);
    const text = await signInPage.text();
    expect(text).toContain('<input id="token" name="token" type="password"');
    expect(text).not.toContain(SCRIPT.path);
    expect((await app.request(STYLE.path)).status).toBe(200);
  });

  test("the right token gives an HttpOnly, SameSite=Strict session cookie with a random id and goes back where it was asked for", async () => {
    const { app } = testApp();
    const res = await app.request("/ui/sign-in", form({ token: ADMIN, next: "/ui/stats?from=2026-11-01" }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/ui/stats?from=2026-11-01");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^ivr_session=[A-Za-z0-9_-]{43}; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain(ADMIN);
    const again = cookieOf(await app.request("/ui/sign-in", form({ token: ADMIN })));
    expect(again).not.toBe(cookieOf(res));
    // Behind a proxy that terminates https, the cookie is Secure.
    const https = await app.request("/ui/sign-in", form({ token: ADMIN }, { "X-Forwarded-Proto": "https" }));
    expect(https.headers.get("set-cookie")).toContain("; Secure");
    const page = await app.request("/ui", { headers: { Cookie: cookieOf(res) } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<h1>Live calls</h1>");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("cache-control")).toBe("no-store");
  });

  test("a wrong or missing token: 401 with the form again, no cookie; the token is never put in a URL", async () => {
    const { app } = testApp();
    const wrong = await app.request("/ui/sign-in", form({ token: "guess", next: "/ui/tools" }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const text = await wrong.text();
    expect(text).toContain("That is not the admin token.");
    expect(text).toContain('name="next" value="/ui/tools"');
    expect(text).not.toContain("guess");
    expect((await app.request("/ui/sign-in", form({ token: "" }))).status).toBe(401);
    // A GET with a token in the query string does not sign in.
    const viaUrl = await app.request(`/ui/sign-in?token=${ADMIN}`);
    expect(viaUrl.headers.get("set-cookie")).toBeNull();
    expect((await app.request(`/ui?token=${ADMIN}`)).status).toBe(303);
  });

  test("wrong tokens are throttled per address, sharing the API's budget; the right token still gets in", async () => {
    const t = testApp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.app.request("/api/calls", { headers: { Authorization: "Bearer guess" } })).status);
    for (let i = 0; i < 6; i++) statuses.push((await t.app.request("/ui/sign-in", form({ token: "guess" }))).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const throttled = await t.app.request("/ui/sign-in", form({ token: "guess" }));
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(await throttled.text()).toContain("Too many wrong tokens");
    expect((await t.app.request("/ui/sign-in", form({ token: ADMIN }))).status).toBe(303);
    t.from("10.0.0.9");
    expect((await t.app.request("/ui/sign-in", form({ token: "guess" }))).status).toBe(401);
  });

  test("after signing in, only pages of ours: never another site", () => {
    expect(safeNext("/ui/history?phone=1")).toBe("/ui/history?phone=1");
    for (const bad of ["//evil.example/ui", "https://evil.example/ui", "/uix", "/ui/sign-in", "/ui\\@evil", "/api/calls", undefined, 5]) expect(safeNext(bad)).toBe("/ui");
  });

  test("without server.admin_token the page is off (403), like the admin API", async () => {
    const config = loadConfigFile(SMART_CONFIG).config;
    delete config.server;
    const { app } = testApp({ config });
    const page = await app.request("/ui/sign-in");
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("The operator page is off: set <code>server.admin_token</code>");
    expect((await app.request("/ui/sign-in", form({ token: "" }))).status).toBe(403);
    expect((await app.request("/ui")).headers.get("location")).toStartWith("/ui/sign-in");
  });
});

describe("the session", () => {
  test("lets the page's own requests into the JSON API (EventSource cannot send a header); GETs need nothing more", async () => {
    const { app } = testApp();
    const s = await signIn(app);
    expect((await s.get("/api/calls")).status).toBe(200);
    expect((await s.get("/api/stats")).status).toBe(200);
    // Authenticated: the stream itself is off without AMI (503), not refused (401).
    expect((await s.get("/api/events")).status).toBe(503);
    expect((await s.get("/ui/history.csv")).status).toBe(200);
  });

  test("every POST needs the session's CSRF token (header or form field); without it nothing runs", async () => {
    const { app } = testApp();
    const s = await signIn(app);
    const body = JSON.stringify({ enterprise: "0367", phone: "80291234567", line: "0001363" });
    const json = (headers: Record<string, string>) => s.get("/api/smart/test", { method: "POST", body, headers: { "Content-Type": "application/json", ...headers } });
    const refused = await json({});
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "missing or wrong CSRF token (the x-csrf-token header or the _csrf field); reload the page" });
    expect((await json({ "X-CSRF-Token": "wrong" })).status).toBe(403);
    expect((await json({ "X-CSRF-Token": s.csrf })).status).toBe(200);

    const fields = { did: "0212345678", press: "1", result: "answer" };
    expect((await s.post("/ui/tools/simulate", fields, null)).status).toBe(403);
    expect((await s.post("/ui/tools/simulate", fields, "x".repeat(43))).status).toBe(403);
    const ran = await s.post("/ui/tools/simulate", fields);
    expect(ran.status).toBe(200);
    expect(await ran.text()).toContain("Outcome: answered, queue 10001");
    // Another session's token is not this one's.
    const other = await signIn(app);
    expect((await s.post("/ui/tools/simulate", fields, other.csrf)).status).toBe(403);
    // Sign-out is a POST too: without the token the session stays.
    expect((await s.post("/ui/sign-out", {}, null)).status).toBe(403);
    expect((await s.get("/ui")).status).toBe(200);
  });

  test("an API client's bearer token is checked as before: a cookie never stands in for a wrong or malformed header", async () => {
    const { app } = testApp();
    const s = await signIn(app);
    expect((await s.get("/api/calls", { headers: { Authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await s.get("/api/calls", { headers: { Authorization: "Basic abc" } })).status).toBe(401);
    expect((await app.request("/api/calls", admin())).status).toBe(200);
    // A bearer client needs no CSRF token: it has no cookie for another site to ride on.
    const res = await app.request("/api/smart/test", admin({ method: "POST", body: JSON.stringify({ enterprise: "0367", phone: "80291234567", line: "0001363" }) }));
    expect(res.status).toBe(200);
  });

  test("signing out ends the session on the server: the same cookie no longer opens a page or the API", async () => {
    const { app } = testApp();
    const s = await signIn(app);
    const out = await s.post("/ui/sign-out", {});
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/ui/sign-in");
    expect(out.headers.get("set-cookie")).toMatch(/^ivr_session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict/);
    expect((await s.get("/ui")).status).toBe(303);
    expect((await s.get("/api/calls")).status).toBe(401);
  });

  test("expires after 12 hours unused; each request counts as use", async () => {
    const start = new Date("2026-11-21T08:00:00Z");
    setSystemTime(start);
    const { app } = testApp();
    const s = await signIn(app);
    setSystemTime(new Date(start.getTime() + 11 * 3_600_000));
    expect((await s.get("/ui")).status).toBe(200);
    setSystemTime(new Date(start.getTime() + 22 * 3_600_000));
    expect((await s.get("/api/calls")).status).toBe(200);
    setSystemTime(new Date(start.getTime() + 34 * 3_600_000 + 1000));
    expect((await s.get("/ui")).status).toBe(303);
    expect((await s.get("/api/calls")).status).toBe(401);
  });

  test("a new admin token in the config signs everyone out", async () => {
    const t = testApp();
    const s = await signIn(t.app);
    const config = loadConfigFile(SMART_CONFIG).config;
    t.reload({ ...config, server: { ...config.server, admin_token: "another-admin-token-0123456789" } });
    expect((await s.get("/ui")).status).toBe(303);
    expect((await s.get("/api/calls")).status).toBe(401);
  });
});

describe("SessionStore", () => {
  test("idle and absolute expiry, the admin token it was opened with, and a bound on how many", () => {
    let now = 0;
    const store = new SessionStore({ idleMs: 100, maxMs: 250, maxSessions: 3 }, () => now);
    const a = store.open("token-a");
    expect(a.id).not.toBe(a.session.csrf);
    expect(store.find(a.id, "token-b")).toBeUndefined();
    const b = store.open("token-a");
    now = 90;
    expect(store.find(b.id, "token-a")).toBe(b.session);
    now = 180;
    expect(store.find(b.id, "token-a")).toBe(b.session);
    now = 240;
    expect(store.find(b.id, "token-a")).toBe(b.session);
    now = 260; // used 20 ms ago, but opened 260 ms ago
    expect(store.find(b.id, "token-a")).toBeUndefined();
    now = 0;
    const ids = [store.open("t"), store.open("t"), store.open("t"), store.open("t")].map((s) => s.id);
    expect(store.size).toBe(3);
    expect(store.find(ids[0], "t")).toBeUndefined();
    expect(store.find(ids[3], "t")).toBeDefined();
    expect(store.find(undefined, "t")).toBeUndefined();
    expect(store.find("made-up", "t")).toBeUndefined();
  });
});

describe("assets", () => {
  test("compiled in, named by their content's hash, cached a year, 304 for a browser that has them", async () => {
    const { app } = testApp();
    const css = await app.request(STYLE.path);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const etag = css.headers.get("etag")!;
    expect(STYLE.path).toContain(etag.slice(1, -1));
    expect(await css.text()).toContain("--focus");
    const again = await app.request(STYLE.path, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const s = await signIn(app);
    const js = await s.get(SCRIPT.path);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    expect(await js.text()).toContain("new EventSource(");
  });
});
