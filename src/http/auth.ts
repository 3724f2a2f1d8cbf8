import { createHash, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
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

/** server.admin_token as configured (a `${VAR}` resolved); undefined or "" when the admin API is off. */
export function adminToken(deps: Pick<AppDeps, "snapshot" | "env">): string | undefined {
  const configured = deps.snapshot().config.server?.admin_token;
  return configured === undefined ? undefined : resolveSecret(configured, deps.env);
}

/** Whether a wrong admin token from `ip` is within the guessing budget (every way of giving the token shares it). */
export function wrongTokenAllowed(limiter: RateLimiter, ip: string | undefined): boolean {
  return limiter.allow(`admin|${ip ?? "unknown"}`, WRONG_TOKENS_PER_SECOND, WRONG_TOKENS_BURST);
}

/**
 * The other way in: the operator page's session cookie (a browser's EventSource cannot send
 * a header). true: signed in; a Response: refused (a POST without its CSRF token); false: not
 * signed in. Asked only when there is no Authorization header, so a token is checked as before.
 */
export type SessionCheck = (c: Context, adminToken: string) => boolean | Response | Promise<boolean | Response>;

/**
 * `Authorization: Bearer <server.admin_token>` for the admin endpoints. Without an admin
 * token configured they are off (403), rather than open. Guessing is slowed down per client
 * address (429 past the budget); only wrong tokens spend it, so the right token always
 * gets in, even from an address that is being throttled. One middleware per app: every
 * admin route shares its budget.
 */
export function adminOnly(deps: Pick<AppDeps, "snapshot" | "env" | "clientIp">, limiter = new RateLimiter(), session?: SessionCheck): MiddlewareHandler {
  return async (c, next) => {
    const expected = adminToken(deps);
    if (!expected) return c.json({ error: "the admin API is off: set server.admin_token" }, 403);
    const authorization = c.req.header("authorization");
    if (authorization === undefined && session) {
      const verdict = await session(c, expected);
      if (verdict instanceof Response) return verdict;
      if (verdict) return next();
    }
    const given = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
    if (given && sameSecret(given, expected)) return next();
    if (given && !wrongTokenAllowed(limiter, deps.clientIp(c))) {
      c.header("Retry-After", "1");
      return c.json({ error: "too many wrong admin tokens from this address; wait and retry" }, 429);
    }
    c.header("WWW-Authenticate", 'Bearer realm="ivr"');
    return c.json({ error: given ? "wrong admin token" : "missing Authorization: Bearer <admin token>" }, 401);
  };
}
