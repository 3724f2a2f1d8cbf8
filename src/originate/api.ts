import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { SessionCheck } from "../http/auth.ts";
import type { AppDeps } from "../http/deps.ts";
import { campaignRoutes } from "./api-campaigns.ts";
import { originateAuth, type OriginateEnv } from "./auth.ts";
import { dialJson } from "./events.ts";
import { OUTBOUND_OFF } from "./place.ts";

const OFF = { error: OUTBOUND_OFF };

/**
 * POST /api/originate (admin or a client token, or the operator page's session: click-to-call): 202 with the dial's id at once, the call
 * placed by the dialer; GET /api/originate/:id its state and outcome; DELETE cancels it.
 * Campaigns and the do-not-call list (admin): see api-campaigns.ts.
 */
export function outboundRoutes(deps: AppDeps, admin: MiddlewareHandler, session?: SessionCheck): Hono {
  const app = new Hono<OriginateEnv>();
  const outbound = () => deps.outbound;
  const auth = originateAuth(deps, undefined, session);

  app.post("/api/originate", auth, bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: "the body is limited to 16 KiB" }, 413) }), async (c) => {
    const service = outbound();
    if (!service?.settings()) return c.json(OFF, 503);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "the body must be JSON", reason: "body" }, 400);
    }
    const placed = service.place(body, c.get("caller"));
    if ("error" in placed) {
      if (placed.retryAfter) c.header("Retry-After", String(placed.retryAfter));
      return c.json({ error: placed.error, reason: placed.reason }, placed.status);
    }
    const row = placed.dial;
    c.header("Location", `/api/originate/${row.id}`);
    return c.json({ id: row.id, state: row.state, number: row.number, not_before: new Date(row.notBefore).toISOString() }, 202);
  });

  app.get("/api/originate/:id", auth, (c) => {
    const service = outbound();
    if (!service) return c.json(OFF, 503);
    const stored = service.store.get(c.req.param("id"));
    const caller = c.get("caller");
    // Another client's dial is not said to exist.
    if (!stored || (caller.client !== "admin" && stored.client !== caller.client)) return c.json({ error: `no dial ${c.req.param("id")}` }, 404);
    const dial = service.dialer.flights.current(stored);
    return c.json({ ...dialJson(dial), key_presses: service.store.keysOf(dial.id) });
  });

  app.delete("/api/originate/:id", auth, (c) => {
    const service = outbound();
    if (!service) return c.json(OFF, 503);
    const dial = service.store.get(c.req.param("id"));
    const caller = c.get("caller");
    if (!dial || (caller.client !== "admin" && dial.client !== caller.client)) return c.json({ error: `no dial ${c.req.param("id")}` }, 404);
    const result = service.dialer.cancel(service.dialer.flights.current(dial));
    const now = service.dialer.flights.current(service.store.get(dial.id)!);
    if (result === "finished") return c.json({ error: `dial ${dial.id} has already ended (${now.outcome})`, ...dialJson(now) }, 409);
    return c.json(dialJson(now), result === "hanging-up" ? 202 : 200);
  });

  app.route("/", campaignRoutes(deps, admin));
  return app as unknown as Hono;
}
