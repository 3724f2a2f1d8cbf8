import { Hono, type MiddlewareHandler } from "hono";
import { html } from "hono/html";
import { adminToken, sameSecret, wrongTokenAllowed } from "../http/auth.ts";
import type { AppDeps } from "../http/deps.ts";
import type { RateLimiter } from "../http/rate-limit.ts";
import { renderPage } from "./layout.ts";
import { clearSessionCookie, sessionId, setSessionCookie, type UiEnv } from "./session-auth.ts";
import type { SessionStore } from "./sessions.ts";
import { SESSION_LIMITS } from "./sessions.ts";

const MAX_SIGN_IN_BYTES = 4096;

/** Where to go after signing in: a page of ours, never another site (`//evil`) or the sign-in page itself. */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/ui(\/|\?|$)/.test(next) && !next.startsWith("/ui/sign-in") && !/[\\\s]/.test(next) ? next : "/ui";
}

/**
 * Signing in with server.admin_token: the token is posted in a form (never in a URL) and
 * exchanged for a session cookie. Wrong tokens spend the same per-address budget as the
 * API's (adminOnly), so the form is no faster way to guess.
 */
export function signInRoutes(deps: AppDeps, sessions: SessionStore, limiter: RateLimiter, signedIn: MiddlewareHandler<UiEnv>): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  const form = (c: Parameters<typeof renderPage>[0], next: string, problem?: string, status: 200 | 401 | 403 | 429 = 200) => {
    const token = adminToken(deps);
    const body = !token
      ? html`<p class="error" role="alert">The operator page is off: set <code>server.admin_token</code> in the config (at least 16 characters), then sign in with it.</p>`
      : html`<form class="card sign-in" method="post" action="/ui/sign-in">
${problem ? html`<p class="error" role="alert" id="sign-in-problem">${problem}</p>` : ""}
<div class="field"><label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus${problem ? html` aria-describedby="sign-in-problem"` : ""}></div>
<input type="hidden" name="next" value="${next}">
<p class="muted">The <code>server.admin_token</code> of the config.</p>
<button type="submit">Sign in</button>
</form>`;
    return renderPage(c, { title: "Sign in", version: deps.version, status: token ? status : 403 }, body);
  };

  app.get("/ui/sign-in", (c) => {
    const token = adminToken(deps);
    if (token && sessions.find(sessionId(c), token)) return c.redirect(safeNext(c.req.query("next")), 303);
    return form(c, safeNext(c.req.query("next")));
  });

  app.post("/ui/sign-in", async (c) => {
    const token = adminToken(deps);
    if (!token) return form(c, "/ui");
    if (!(Number(c.req.header("content-length") ?? NaN) <= MAX_SIGN_IN_BYTES)) return c.text("the form is too large", 413);
    const fields = await c.req.parseBody();
    const next = safeNext(fields.next);
    const given = typeof fields.token === "string" ? fields.token.trim() : "";
    if (given && sameSecret(given, token)) {
      const { id } = sessions.open(token);
      setSessionCookie(c, id, SESSION_LIMITS.maxMs / 1000);
      return c.redirect(next, 303);
    }
    if (!wrongTokenAllowed(limiter, deps.clientIp(c))) {
      c.header("Retry-After", "1");
      return form(c, next, "Too many wrong tokens from this address: wait a few seconds and try again.", 429);
    }
    return form(c, next, given ? "That is not the admin token." : "Enter the admin token.", 401);
  });

  app.post("/ui/sign-out", signedIn, (c) => {
    sessions.close(sessionId(c));
    clearSessionCookie(c);
    return c.redirect("/ui/sign-in", 303);
  });
  return app;
}
