import { Hono, type MiddlewareHandler } from "hono";
import { callJson } from "../../history/call-json.ts";
import { getCall } from "../../history/queries.ts";
import { liveCallJson, liveEventJson } from "../../tracking/json.ts";
import type { LiveEvent } from "../../tracking/live.ts";
import { legRowJson, legsOf, timeline, transferRowJson, transfersOf } from "../../tracking/timeline.ts";
import { usersByExtension } from "../../tracking/users.ts";
import type { AppDeps } from "../deps.ts";

/** Events a slow client may have waiting before its stream is closed (it reconnects with Last-Event-ID). */
const MAX_BACKLOG = 1000;
const encoder = new TextEncoder();

/**
 * Calls as they happen (AMI): GET /api/calls/active, the event stream GET /api/events, and
 * GET /api/calls/:id with the legs and transfers AMI recorded, as a timeline. Registered
 * before the history's routes, so that "active" is not taken for a call id.
 */
/** `admin` guards the admin endpoints (adminOnly, shared by every route group). */
export function liveRoutes(deps: AppDeps, admin: MiddlewareHandler): Hono {
  const app = new Hono();
  const userFor = usersByExtension(() => deps.snapshot().config);
  const notConfigured = { error: "AMI call tracking is off: add an ami: section to the config (see ivr ami --manager-conf)" };

  app.get("/api/calls/active", admin, (c) => {
    const tracking = deps.tracking;
    if (!tracking) return c.json(notConfigured, 503);
    const health = tracking.health();
    return c.json({
      calls: tracking.activeCalls().map((call) => liveCallJson(call, deps.snapshot().config, userFor)),
      ami: { state: health.state, connected_since: health.connected_since, last_event_at: health.last_event_at, gaps: health.gaps },
      last_event_id: tracking.feed.lastId,
    });
  });

  app.get("/api/events", admin, (c) => {
    const tracking = deps.tracking;
    if (!tracking) return c.json(notConfigured, 503);
    const lastEventId = c.req.header("last-event-id") ?? c.req.query("last_event_id");
    let cleanup = () => {};
    const stream = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          let open = true;
          const send = (text: string) => {
            if (!open) return;
            if ((controller.desiredSize ?? 0) < -MAX_BACKLOG) {
              cleanup();
              controller.close();
              return;
            }
            controller.enqueue(encoder.encode(text));
          };
          const frame = (event: LiveEvent) => `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(liveEventJson(event, deps.snapshot().config, userFor))}\n\n`;
          send("retry: 2000\n\n");
          if (lastEventId !== undefined) {
            const missed = /^\d+$/.test(lastEventId) ? tracking.feed.since(Number(lastEventId)) : undefined;
            // Too old (or from before a restart): the client must reload the active calls.
            if (missed === undefined) send(`id: ${tracking.feed.lastId}\nevent: resync\ndata: {"reason":"Last-Event-ID ${JSON.stringify(lastEventId).slice(1, -1)} is outside the resume window: reload /api/calls/active"}\n\n`);
            else for (const event of missed) send(frame(event));
          }
          const unsubscribe = tracking.feed.subscribe((event) => send(frame(event)));
          const heartbeat = setInterval(() => send(`: heartbeat ${new Date().toISOString()}\n\n`), tracking.heartbeatMs);
          cleanup = () => {
            if (!open) return;
            open = false;
            unsubscribe();
            clearInterval(heartbeat);
          };
          c.req.raw.signal?.addEventListener("abort", () => cleanup());
        },
        cancel() {
          cleanup();
        },
      },
      { highWaterMark: 1 },
    );
    return new Response(stream, {
      headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache", Connection: "keep-alive", "X-Accel-Buffering": "no" },
    });
  });

  app.get("/api/calls/:id", admin, (c) => {
    const id = Number(c.req.param("id"));
    if (!Number.isInteger(id) || id < 1) return c.json({ error: "a call id is a whole number" }, 400);
    const row = getCall(deps.history, id);
    if (!row) return c.json({ error: `no call ${id}` }, 404);
    const legs = legsOf(deps.history, id);
    const transfers = transfersOf(deps.history, id);
    return c.json({ ...callJson(row), legs: legs.map(legRowJson), transfers: transfers.map(transferRowJson), timeline: timeline(row, legs, transfers) });
  });
  return app;
}
