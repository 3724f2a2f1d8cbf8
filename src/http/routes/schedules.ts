import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { formatLocal } from "../../schedules/local-time.ts";
import { type EffectiveState, OVERRIDE_STATES, OVERRIDE_UNTIL, type Override } from "../../schedules/overrides.ts";
import { ScheduleService } from "../../schedules/service.ts";
import { historyOverrideStore } from "../../schedules/store.ts";
import { scheduleUsers } from "../../schedules/users.ts";
import type { AppDeps } from "../deps.ts";

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The PUT body: {"state": "open"|"closed", "until": "next_change"|"cleared"} (until defaults to next_change). */
function readOverrideBody(body: unknown): { state: Override["state"]; until: Override["until"] } | { error: string } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { error: "the body must be a JSON object" };
  const { state, until = "next_change", ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length) return { error: `unknown field ${unknown.map((key) => JSON.stringify(key)).join(", ")}: the body is {"state", "until"}` };
  if (!OVERRIDE_STATES.includes(state as Override["state"])) return { error: 'state must be "open" or "closed"' };
  if (!OVERRIDE_UNTIL.includes(until as Override["until"])) return { error: 'until must be "next_change" (a temporary override) or "cleared" (until DELETE)' };
  return { state: state as Override["state"], until: until as Override["until"] };
}

/**
 * GET /api/schedules (every schedule now), GET /api/schedules/:name, and overrides:
 * PUT /api/schedules/:name/override, DELETE /api/schedules/:name/override. Admin only.
 * Without a ScheduleService in `deps` (tests of other routes), one is made over the history.
 */
export function scheduleRoutes(deps: AppDeps, admin: MiddlewareHandler): Hono {
  const app = new Hono();
  const schedules = deps.schedules ?? new ScheduleService({ snapshot: deps.snapshot, store: historyOverrideStore(deps.history), log: deps.log });

  const view = (name: string, state: EffectiveState, at: number) => {
    const settings = schedules.settings(name)!;
    const { override, scheduled } = state;
    return {
      name,
      timezone: settings.timezone,
      local_time: formatLocal(settings, at),
      open: state.open,
      reason: state.reason,
      next_change: iso(state.until),
      scheduled: { open: scheduled.open, reason: scheduled.reason, next_change: iso(scheduled.until) },
      override: override && { state: override.state, until: override.until, set_at: new Date(override.setAt).toISOString(), ends_at: iso(override.endsAt) },
      ...scheduleUsers(deps.snapshot().config, name),
    };
  };

  app.get("/api/schedules", admin, (c) => {
    const at = Date.now();
    return c.json({ now: new Date(at).toISOString(), schedules: schedules.names().map((name) => view(name, schedules.state(name, at)!, at)) });
  });

  app.get("/api/schedules/:name", admin, (c) => {
    const name = c.req.param("name");
    const at = Date.now();
    const state = schedules.state(name, at);
    return state ? c.json(view(name, state, at)) : c.json({ error: `no schedule "${name}" under schedules:` }, 404);
  });

  app.put(
    "/api/schedules/:name/override",
    admin,
    bodyLimit({ maxSize: 1024, onError: (c) => c.json({ error: "the body is larger than 1024 bytes" }, 413) }),
    async (c) => {
      const name = c.req.param("name");
      if (!schedules.settings(name)) return c.json({ error: `no schedule "${name}" under schedules:` }, 404);
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json({ error: 'the body must be JSON: {"state": "open"|"closed", "until": "next_change"|"cleared"}' }, 400);
      }
      const wanted = readOverrideBody(body);
      if ("error" in wanted) return c.json(wanted, 400);
      const at = Date.now();
      try {
        const state = schedules.setOverride(name, wanted.state, wanted.until, at)!;
        return c.json(view(name, state, at));
      } catch (error) {
        deps.log.error(`schedules: override of ${name} not stored: ${(error as Error).message}`);
        return c.json({ error: "the override could not be stored in the history; nothing changed (see the ivr log)" }, 503);
      }
    },
  );

  app.delete("/api/schedules/:name/override", admin, (c) => {
    const name = c.req.param("name");
    const known = schedules.settings(name) !== undefined;
    let cleared: boolean;
    try {
      cleared = schedules.clearOverride(name);
    } catch (error) {
      deps.log.error(`schedules: override of ${name} not cleared: ${(error as Error).message}`);
      return c.json({ error: "the override could not be removed from the history; it stays (see the ivr log)" }, 503);
    }
    if (!known) return cleared ? c.json({ name, cleared }) : c.json({ error: `no schedule "${name}" under schedules:` }, 404);
    const at = Date.now();
    return c.json({ ...view(name, schedules.state(name, at)!, at), cleared });
  });

  return app;
}
