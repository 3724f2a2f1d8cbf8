import { Hono } from "hono";
import { outboundRoutes } from "../originate/api.ts";
import { adminOnly } from "./auth.ts";
import type { AppDeps } from "./deps.ts";
import { callRoutes } from "./routes/calls.ts";
import { integrationRoutes } from "./routes/integrations.ts";
import { liveRoutes } from "./routes/live.ts";
import { opsRoutes } from "./routes/ops.ts";
import { scheduleRoutes } from "./routes/schedules.ts";
import { smartRoutes } from "./routes/smart.ts";
import { operatorPage } from "../ui/routes.ts";

export type { AppDeps } from "./deps.ts";

/** The HTTP API of ivr serve, built from its dependencies so tests can call app.request(). */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const ui = operatorPage(deps); // its session cookie also admits the page's own API requests
  const admin = adminOnly(deps, ui.limiter, ui.session);
  app.route("/", opsRoutes(deps));
  app.route("/", smartRoutes(deps, admin));
  app.route("/", liveRoutes(deps, admin)); // before callRoutes: /api/calls/active is not a call id
  app.route("/", callRoutes(deps, admin));
  app.route("/", scheduleRoutes(deps, admin));
  app.route("/", ui.routes(admin));
  app.route("/", integrationRoutes(deps, admin));
  app.route("/", outboundRoutes(deps, admin, ui.session));
  app.notFound((c) => c.json({ error: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    deps.log.error(`http ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
    return c.json({ error: "internal error (see the ivr log)" }, 500);
  });
  return app;
}
