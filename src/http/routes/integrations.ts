import { Hono, type MiddlewareHandler } from "hono";
import { type DeliveryRecord, type DeliveryState, WAITING } from "../../outbox/store.ts";
import type { AppDeps } from "../deps.ts";
import { clickToCallRoutes } from "./click-to-call.ts";

const STATES: readonly DeliveryState[] = ["pending", "delivered", "failed"];
const MAX_LIMIT = 500;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function deliveryJson(d: DeliveryRecord) {
  let payload: unknown;
  try {
    payload = JSON.parse(d.payload);
  } catch {
    payload = d.payload;
  }
  return {
    id: d.id,
    target: d.target,
    state: d.state,
    event: { id: d.eventId, message_id: d.messageId, type: d.type, call_id: d.key, sequence: d.sequence, at: iso(d.at) },
    attempts: d.attempts,
    created_at: iso(d.createdAt),
    last_attempt_at: iso(d.lastAttemptAt),
    // A delivery waiting for an earlier one of its call has no time of its own.
    next_attempt_at: d.state === "pending" && d.nextAttemptAt !== WAITING ? iso(d.nextAttemptAt) : null,
    delivered_at: iso(d.deliveredAt),
    last_error: d.lastError,
    payload,
  };
}

/**
 * The outbox over HTTP (admin): GET /api/outbox?state=failed lists the dead letters (and
 * pending or delivered ones), POST /api/outbox/:id/retry sends a dead letter again (with
 * the others of its call to that target, in order), POST /api/outbox/retry all of them.
 */
export function integrationRoutes(deps: AppDeps, admin: MiddlewareHandler): Hono {
  const app = new Hono();
  const off = { error: "the outbox is not running" };

  app.get("/api/outbox", admin, (c) => {
    const integrations = deps.integrations;
    if (!integrations) return c.json(off, 503);
    const q = c.req.query();
    if (q.state !== undefined && !STATES.includes(q.state as DeliveryState)) return c.json({ error: `state is one of ${STATES.join(", ")}` }, 400);
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return c.json({ error: `limit must be a whole number from 1 to ${MAX_LIMIT}` }, 400);
    const before = q.before === undefined ? undefined : Number(q.before);
    if (before !== undefined && !Number.isInteger(before)) return c.json({ error: "before must be a delivery id" }, 400);
    const rows = integrations.store.list({ state: q.state as DeliveryState | undefined, target: q.target, before, limit });
    return c.json({ deliveries: rows.map(deliveryJson), next_before: rows.length === limit ? rows.at(-1)!.id : null });
  });

  app.post("/api/outbox/retry", admin, (c) => {
    const integrations = deps.integrations;
    if (!integrations) return c.json(off, 503);
    return c.json({ retried: integrations.retryAll(c.req.query("target")) });
  });

  app.post("/api/outbox/:id/retry", admin, (c) => {
    const integrations = deps.integrations;
    if (!integrations) return c.json(off, 503);
    const id = Number(c.req.param("id"));
    if (!Number.isInteger(id) || id < 1) return c.json({ error: "a delivery id is a whole number" }, 400);
    const delivery = integrations.store.get(id);
    if (!delivery) return c.json({ error: `no delivery ${id}` }, 404);
    if (delivery.state !== "failed") return c.json({ error: `delivery ${id} is ${delivery.state}, not failed: nothing to retry` }, 409);
    return c.json({ retried: integrations.retry(id) });
  });
  app.route("/", clickToCallRoutes(deps));
  return app;
}
