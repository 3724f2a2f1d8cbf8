import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { resolveSecret } from "../config/secret.ts";
import type { AppDeps } from "./deps.ts";
import { RateLimiter } from "./rate-limit.ts";

/** Wrong admin tokens allowed per client address: 2 a second, bursts of 10 (like bad Smart tokens). */
const WRONG_TOKENS_PER_SECOND = 2;
const WRONG_TOKENS_BURST = 10;

/** Constant-time comparison of two secrets of any length (compared as SHA-256 digests). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * `Authorization: Bearer <server.admin_token>` for the admin endpoints. Without an admin
 * token configured they are off (403), rather than open. Guessing is slowed down per client
 * address (429 past the budget); only wrong tokens spend it, so the right token always
 * gets in, even from an address that is being throttled. One middleware per app: every
 * admin route shares its budget.
 */
export function adminOnly(deps: Pick<AppDeps, "snapshot" | "env" | "clientIp">, limiter = new RateLimiter()): MiddlewareHandler {
  return async (c, next) => {
    const configured = deps.snapshot().config.server?.admin_token;
    const expected = configured === undefined ? undefined : resolveSecret(configured, deps.env);
    if (!expected) return c.json({ error: "the admin API is off: set server.admin_token" }, 403);
    const given = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
    if (given && sameSecret(given, expected)) return next();
    if (given && !limiter.allow(`admin|${deps.clientIp(c) ?? "unknown"}`, WRONG_TOKENS_PER_SECOND, WRONG_TOKENS_BURST)) {
      c.header("Retry-After", "1");
      return c.json({ error: "too many wrong admin tokens from this address; wait and retry" }, 429);
    }
    c.header("WWW-Authenticate", 'Bearer realm="ivr"');
    return c.json({ error: given ? "wrong admin token" : "missing Authorization: Bearer <admin token>" }, 401);
  };
}
