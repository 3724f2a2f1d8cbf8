import { Hono } from "hono";
import type { AppDeps } from "../deps.ts";

/** /health for monitoring (503 when the history cannot be read) and /metrics for Prometheus. */
export function opsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/health", (c) => {
    const { path, generation, loadedAt } = deps.snapshot();
    let database: { path: string; status: "ok" | "error"; error?: string } = { path: deps.history.path, status: "ok" };
    try {
      deps.history.sqlite.query("SELECT 1").get();
    } catch (error) {
      database = { ...database, status: "error", error: (error as Error).message };
    }
    const healthy = database.status === "ok";
    return c.json(
      {
        status: healthy ? "ok" : "degraded",
        version: deps.version,
        uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
        config: { path, generation, loaded_at: loadedAt.toISOString() },
        database,
        fastagi: { sessions: deps.fastagiSessions?.() ?? 0 },
        ami: deps.tracking ? deps.tracking.health() : { state: "off" },
      },
      healthy ? 200 : 503,
    );
  });
  app.get("/metrics", (c) => c.text(deps.metrics.render() + (deps.tracking?.metrics.render() ?? ""), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" }));
  return app;
}
