import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { isBusyError } from "../history/db.ts";
import type { AppDeps } from "../http/deps.ts";
import { RateLimiter } from "../http/rate-limit.ts";
import { campaignRoutes } from "./api-campaigns.ts";
import { originateAuth, type OriginateEnv } from "./auth.ts";
import { dialJson } from "./events.ts";
import { openAt } from "./hours.ts";
import { trunkKey } from "./limits.ts";
import { readOriginateRequest } from "./request.ts";
import type { OutboundService } from "./service.ts";
import { DEFAULTS } from "./settings.ts";
import type { NewDial } from "./store.ts";

const OFF = { error: "outbound calls are off: add an outbound: section (and an ami: section) to the config" };

/**
 * POST /api/originate (admin or a client token): 202 with the dial's id at once, the call
 * placed by the dialer; GET /api/originate/:id its state and outcome; DELETE cancels it.
 * Campaigns and the do-not-call list (admin): see api-campaigns.ts.
 */
export function outboundRoutes(deps: AppDeps, admin: MiddlewareHandler): Hono {
  const app = new Hono<OriginateEnv>();
  const outbound = () => deps.outbound;
  const auth = originateAuth(deps);
  const rates = new RateLimiter();

  app.post("/api/originate", auth, bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: "the body is limited to 16 KiB" }, 413) }), async (c) => {
    const service = outbound();
    const settings = service?.settings();
    if (!service || !settings) return c.json(OFF, 503);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: "the body must be JSON", reason: "body" }, 400);
    }
    const now = Date.now();
    const read = readOriginateRequest(body, settings, deps.snapshot().config, c.get("caller"), now);
    if ("error" in read) return c.json({ error: read.error, reason: read.reason }, read.status);
    const { dial } = read;
    // A callback asked for at night waits for the opening: said in the answer.
    const opening = openAt(service.hours, dial.schedule, dial.notBefore);
    if (opening === undefined) return c.json({ error: `schedule ${dial.schedule} never opens again`, reason: "schedule" }, 409);
    dial.notBefore = opening;
    if (service.dnc.blocks(dial.number)) return c.json({ error: `${dial.number} is on the do-not-call list`, reason: "do_not_call" }, 409);
    const over = overLimit(service, dial, now, rates);
    if (over) {
      c.header("Retry-After", "1");
      return c.json({ error: over, reason: "limit" }, 429);
    }
    try {
      const row = service.dialer.enqueue(dial);
      c.header("Location", `/api/originate/${row.id}`);
      return c.json({ id: row.id, state: row.state, number: row.number, not_before: new Date(row.notBefore).toISOString() }, 202);
    } catch (error) {
      if (!isBusyError(error)) throw error;
      c.header("Retry-After", "1");
      return c.json({ error: "the database is busy (another process is writing): nothing was queued, try again" }, 503);
    }
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

/**
 * Over a trunk's limits, a dial asked for now is refused (429), never queued behind the
 * others: calls in progress or waiting on the trunk at max_concurrent, or more than
 * calls_per_second requests. A dial for later (not_before, a closed schedule) waits instead.
 */
function overLimit(service: OutboundService, dial: NewDial, now: number, rates: RateLimiter): string | undefined {
  if (dial.notBefore > now) return undefined;
  const trunk = service.settings()?.trunk(dial.trunk);
  if (!trunk) return undefined;
  const max = trunk.max_concurrent ?? DEFAULTS.trunkMaxConcurrent;
  const load = service.dialer.limits.load(dial.trunk);
  if (load >= max) return `trunk ${dial.trunk} has ${load} calls in progress or waiting (max_concurrent ${max}): try again later`;
  const perSecond = trunk.calls_per_second ?? DEFAULTS.trunkCallsPerSecond;
  if (!rates.allow(trunkKey(dial.trunk), perSecond, Math.max(1, perSecond))) return `trunk ${dial.trunk} takes ${perSecond} calls per second (calls_per_second): try again in a moment`;
  return undefined;
}
