import { Hono, type MiddlewareHandler } from "hono";
import { phoneSearch } from "../../history/country.ts";
import { callStats, getCall, listCalls, MAX_LIMIT } from "../../history/queries.ts";
import { callJson } from "../../history/call-json.ts";
import { unknownStatus } from "../../history/statuses.ts";
import type { AppDeps } from "../deps.ts";

/** The range of a JS Date (about ±275,000 years): beyond it there is no ISO 8601 form to answer with. */
const MAX_TIME_MS = 8.64e15;

/** A time given as ISO 8601 or epoch milliseconds. */
function parseTime(value: string | undefined): number | undefined | "invalid" {
  if (value === undefined || value === "") return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? ms : "invalid";
}

/** `admin` guards the admin endpoints (adminOnly, shared by every route group). */
export function callRoutes(deps: AppDeps, admin: MiddlewareHandler): Hono {
  const app = new Hono();

  app.get("/api/calls", admin, (c) => {
    const q = c.req.query();
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return c.json({ error: `limit must be a whole number from 1 to ${MAX_LIMIT}` }, 400);
    const before = q.before === undefined ? undefined : Number(q.before);
    if (before !== undefined && !Number.isInteger(before)) return c.json({ error: "before must be a call id" }, 400);
    const badStatus = q.status ? unknownStatus(q.status) : undefined;
    if (badStatus) return c.json({ error: badStatus }, 400);
    // The same number in any spelling: E.164 in each configured country, or as it was stored.
    const phone = q.phone ? phoneSearch(q.phone, deps.snapshot().config) : undefined;
    const rows = listCalls(deps.history, { phone, did: q.did, status: q.status, before, limit });
    return c.json({ calls: rows.map(callJson), next_before: rows.length === limit ? rows.at(-1)!.id : null });
  });

  app.get("/api/calls/:id", admin, (c) => {
    const id = Number(c.req.param("id"));
    if (!Number.isInteger(id) || id < 1) return c.json({ error: "a call id is a whole number" }, 400);
    const row = getCall(deps.history, id);
    return row ? c.json(callJson(row)) : c.json({ error: `no call ${id}` }, 404);
  });

  app.get("/api/stats", admin, (c) => {
    const until = parseTime(c.req.query("until")) ?? Date.now();
    const since = parseTime(c.req.query("since")) ?? (typeof until === "number" ? Math.max(until - 86_400_000, -MAX_TIME_MS) : 0);
    if (since === "invalid" || until === "invalid") {
      return c.json({ error: "since and until are ISO 8601 times or epoch milliseconds, within the years -271821 to 275760" }, 400);
    }
    const stats = callStats(deps.history, since, until);
    return c.json({ ...stats, since: new Date(stats.since).toISOString(), until: new Date(stats.until).toISOString() });
  });
  return app;
}
