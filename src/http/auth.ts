import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { resolveSecret } from "../config/secret.ts";
import type { AppDeps } from "./deps.ts";

/** Constant-time comparison of two secrets of any length (compared as SHA-256 digests). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `Authorization: Bearer <server.admin_token>` for the admin endpoints. Without an admin
 * token configured they are off (403), rather than open.
 */
export function adminOnly(deps: Pick<AppDeps, "snapshot" | "env">): MiddlewareHandler {
  return async (c, next) => {
    const configured = deps.snapshot().config.server?.admin_token;
    const expected = configured === undefined ? undefined : resolveSecret(configured, deps.env);
    if (!expected) return c.json({ error: "the admin API is off: set server.admin_token" }, 403);
    const given = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
    if (!given || !sameSecret(given, expected)) {
      c.header("WWW-Authenticate", 'Bearer realm="ivr"');
      return c.json({ error: given ? "wrong admin token" : "missing Authorization: Bearer <admin token>" }, 401);
    }
    await next();
  };
}
