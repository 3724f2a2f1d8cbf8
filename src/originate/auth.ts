import type { MiddlewareHandler } from "hono";
import { resolveSecret } from "../config/secret.ts";
import { adminToken, sameSecret, type SessionCheck } from "../http/auth.ts";
import { RateLimiter } from "../http/rate-limit.ts";
import type { Caller } from "./request.ts";
import type { AppDeps } from "../http/deps.ts";
import { KINDS } from "./types.ts";

export type OriginateEnv = { Variables: { caller: Caller } };

/** The operator page's click-to-call button: its dials are recorded under this client, and it may ask for nothing else. */
export const OPERATOR_PAGE: Caller = { client: "operator-page", kinds: ["click-to-call"] };

/**
 * The originate endpoints take the admin token, or a client's own token
 * (outbound.clients.NAME.token), which opens nothing else. Every client's token is compared,
 * each in constant time (sameSecret), whichever matches, so the time taken says nothing of
 * which one was close. Wrong tokens are throttled per address, as the admin endpoints'.
 * Without an Authorization header, the operator page's session (cookie and CSRF token, see
 * SessionCheck) is taken as the OPERATOR_PAGE client: click-to-call only.
 */
export function originateAuth(deps: Pick<AppDeps, "snapshot" | "env" | "clientIp">, limiter = new RateLimiter(), session?: SessionCheck): MiddlewareHandler<OriginateEnv> {
  return async (c, next) => {
    const authorization = c.req.header("authorization");
    const pageToken = authorization === undefined && session ? adminToken(deps) : undefined;
    if (pageToken) {
      const verdict = await session!(c, pageToken);
      if (verdict instanceof Response) return verdict;
      if (verdict) {
        c.set("caller", OPERATOR_PAGE);
        return next();
      }
    }
    const given = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
    if (given) {
      const config = deps.snapshot().config;
      const env = deps.env;
      const admin = config.server?.admin_token === undefined ? undefined : resolveSecret(config.server.admin_token, env);
      let caller: Caller | undefined = admin && sameSecret(given, admin) ? { client: "admin", kinds: KINDS } : undefined;
      for (const [name, client] of Object.entries(config.outbound?.clients ?? {})) {
        const token = resolveSecret(client.token, env);
        if (token && sameSecret(given, token) && !caller) caller = { client: name, kinds: client.kinds ?? KINDS };
      }
      if (caller) {
        c.set("caller", caller);
        return next();
      }
      if (!limiter.allow(`originate|${deps.clientIp(c) ?? "unknown"}`, 2, 10)) {
        c.header("Retry-After", "1");
        return c.json({ error: "too many wrong tokens from this address; wait and retry" }, 429);
      }
    }
    c.header("WWW-Authenticate", 'Bearer realm="ivr"');
    return c.json({ error: given ? "wrong token" : "missing Authorization: Bearer <admin or client token>" }, 401);
  };
}
