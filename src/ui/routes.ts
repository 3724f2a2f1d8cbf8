import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { html } from "hono/html";
import { getCall } from "../history/queries.ts";
import type { SessionCheck } from "../http/auth.ts";
import type { AppDeps } from "../http/deps.ts";
import { RateLimiter } from "../http/rate-limit.ts";
import { usersByExtension } from "../tracking/users.ts";
import { SCRIPT, serveAsset, STYLE } from "./assets.ts";
import { historyNames } from "./call-queries.ts";
import { capabilities } from "./capabilities.ts";
import { callsCsv } from "./csv.ts";
import { day } from "./format.ts";
import { PAGE_HEADERS, renderPage } from "./layout.ts";
import { callPage } from "./pages/call.ts";
import { historyPage, readHistoryQuery } from "./pages/history.ts";
import { livePage, recentCalls } from "./pages/live.ts";
import { statsPage } from "./pages/stats.ts";
import { type SmartTestInput, toolsPage, type ToolResults } from "./pages/tools.ts";
import { sessionCheck, signedIn, type UiEnv } from "./session-auth.ts";
import { SessionStore } from "./sessions.ts";
import { signInRoutes } from "./sign-in.ts";
import { readSimulation, runSimulation, type SimulationInput } from "./simulation.ts";

export interface OperatorPage {
  /** The wrong-token budget, shared with adminOnly: signing in is no faster way to guess. */
  limiter: RateLimiter;
  /** For adminOnly: the page's session cookie admits its own requests to the JSON API. */
  session: SessionCheck;
  routes(admin: MiddlewareHandler): Hono;
}

const MAX_FORM_BYTES = 16 * 1024;

/**
 * The operator page at /ui: live calls, history, statistics, tools. Server-rendered HTML
 * (hono/html) with one small script for the live parts; everything is inside the binary.
 */
export function operatorPage(deps: AppDeps, sessions = new SessionStore()): OperatorPage {
  const limiter = new RateLimiter();
  const userFor = usersByExtension(() => deps.snapshot().config);
  const ownerOf = (extension: string) => {
    const user = userFor(extension);
    return user ? (user.name ?? `user ${user.id}`) : undefined;
  };
  const canCall = () => capabilities(deps).originate;
  const page = signedIn(deps, sessions);
  const version = deps.version;

  return {
    limiter,
    session: sessionCheck(sessions),
    routes(admin) {
      const app = new Hono<UiEnv>();
      // The stylesheet is the sign-in page's too; the script only runs for someone signed in.
      app.get(STYLE.path, (c) => serveAsset(c, STYLE, "public"));
      app.get(SCRIPT.path, page, (c) => serveAsset(c, SCRIPT, "private"));
      app.route("/", signInRoutes(deps, sessions, limiter, page));

      app.get("/ui", page, (c) => renderPage(c, { title: "Live calls", section: "live", session: c.var.session, version }, livePage(deps, userFor, ownerOf, canCall())));
      app.get("/ui/", (c) => c.redirect("/ui", 301));
      app.get("/ui/recent", page, (c) => c.html(recentCalls(deps, ownerOf, canCall()), 200, PAGE_HEADERS));
      app.get("/ui/names", page, (c) => c.json(historyNames(deps.history, c.req.queries("phone") ?? [])));

      app.get("/ui/history", page, (c) => renderPage(c, { title: "Call history", section: "history", session: c.var.session, version }, historyPage(deps, c.req.query(), ownerOf, canCall())));
      app.get("/ui/history.csv", admin, (c) => {
        const { filter, problems } = readHistoryQuery(deps, c.req.query());
        if (problems.length) return c.json({ error: problems.join("; ") }, 400);
        return new Response(callsCsv(deps.history, filter), {
          headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="calls-${day(Date.now())}.csv"`, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" },
        });
      });
      app.get("/ui/calls/:id", page, (c) => {
        const id = Number(c.req.param("id"));
        const call = Number.isInteger(id) && id > 0 ? getCall(deps.history, id) : undefined;
        if (!call) return renderPage(c, { title: "No such call", section: "history", session: c.var.session, version, status: 404 }, html`<p>There is no call ${c.req.param("id")} in the history. <a href="/ui/history">Search the history</a>.</p>`);
        return renderPage(c, { title: `Call ${call.id}`, section: "history", session: c.var.session, version }, callPage(deps.history, call, ownerOf));
      });
      app.get("/ui/stats", page, (c) => renderPage(c, { title: "Statistics", section: "stats", session: c.var.session, version }, statsPage(deps, c.req.query(), ownerOf)));

      const tools = (c: Context<UiEnv>, results?: ToolResults, status?: 400 | 429) =>
        renderPage(c, { title: "Tools", section: "tools", session: c.var.session, version, status }, toolsPage(deps, c.var.session.csrf, results));
      app.get("/ui/tools", page, (c) => tools(c));
      // A result page reloaded or bookmarked: the tools again, nothing posted twice.
      app.get("/ui/tools/:tool", (c) => c.redirect("/ui/tools", 303));
      app.post("/ui/tools/smart-test", bodyLimit({ maxSize: MAX_FORM_BYTES }), page, async (c) => {
        const form = await c.req.parseBody();
        const input: SmartTestInput = { enterprise: String(form.enterprise ?? "").trim(), phone: String(form.phone ?? "").trim(), line: String(form.line ?? "").trim(), loadDialPlan: form.load_dial_plan === "true" };
        if (!input.phone || !input.line) return tools(c, { smart: { input, error: "The caller's number and the line are required." } }, 400);
        const enterprise = deps.smart.enterprise(input.enterprise);
        if (!enterprise) return tools(c, { smart: { input, error: `No enterprise "${input.enterprise}" under smart.enterprises.` } }, 400);
        const decision = await deps.smart.explain(enterprise, { phone: input.phone, line: input.line, loadDialPlan: input.loadDialPlan });
        return tools(c, { smart: { input, decision } });
      });
      app.post("/ui/tools/simulate", bodyLimit({ maxSize: MAX_FORM_BYTES }), page, async (c) => {
        const form = await c.req.parseBody();
        const input: SimulationInput = { did: String(form.did ?? ""), caller: String(form.caller ?? ""), press: String(form.press ?? ""), result: String(form.result ?? "") };
        const simulation = readSimulation(input);
        if ("error" in simulation) return tools(c, { simulation: { input, error: simulation.error } }, 400);
        const report = await runSimulation(deps.snapshot(), simulation);
        if ("busy" in report) return tools(c, { simulation: { input, error: "Other simulations are running: try again in a moment." } }, 429);
        return tools(c, { simulation: { input, report } });
      });

      /** The simulation for scripts and the lead's tools: {did, caller?, press?, result?} -> the report. */
      app.post("/api/simulate", admin, bodyLimit({ maxSize: 4096 }), async (c) => {
        let body: Record<string, unknown>;
        try {
          body = (await c.req.json()) as Record<string, unknown>;
        } catch (error) {
          return c.json({ error: `malformed JSON: ${(error as Error).message}` }, 400);
        }
        if (body === null || typeof body !== "object" || Array.isArray(body)) return c.json({ error: "the body must be a JSON object" }, 400);
        const simulation = readSimulation(body);
        if ("error" in simulation) return c.json({ error: simulation.error }, 400);
        const report = await runSimulation(deps.snapshot(), simulation);
        if ("busy" in report) return c.json({ error: "other simulations are running; retry" }, 429);
        return c.json({ header: report.header, conversation: report.lines, outcome: report.outcome, log: report.log, failed: report.failed });
      });

      app.get("/ui/*", page, (c) => renderPage(c, { title: "Not found", session: c.var.session, version, status: 404 }, html`<p>There is no such page. <a href="/ui">Live calls</a>.</p>`));
      return app as unknown as Hono;
    },
  };
}
