import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { adminToken, type SessionCheck, sameSecret } from "../http/auth.ts";
import type { AppDeps } from "../http/deps.ts";
import type { Session, SessionStore } from "./sessions.ts";

export const SESSION_COOKIE = "ivr_session";
/** The CSRF token's header (fetch, EventSource-free calls) and form field (plain forms). */
export const CSRF_HEADER = "x-csrf-token";
export const CSRF_FIELD = "_csrf";
/** Forms the page posts are small; a larger body is not read to look for the token. */
const MAX_FORM_BYTES = 64 * 1024;

export type UiEnv = { Variables: { session: Session } };

/**
 * Secure only when the browser reached us over https (directly or through a proxy that says
 * so): a Secure cookie is never sent back over plain http, and `ivr serve` itself speaks http.
 */
function overHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

export function setSessionCookie(c: Context, id: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, id, { path: "/", httpOnly: true, sameSite: "Strict", secure: overHttps(c), maxAge: maxAgeSeconds });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", httpOnly: true, sameSite: "Strict", secure: overHttps(c) });
}

export const sessionId = (c: Context): string | undefined => getCookie(c, SESSION_COOKIE);

/** GET and HEAD change nothing; anything else must carry the session's CSRF token. */
const safeMethod = (method: string) => method === "GET" || method === "HEAD";

/** The CSRF token from the header, or from a form body (read once: Hono keeps it for the handler). */
async function givenCsrf(c: Context): Promise<string | undefined | "too large"> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) return undefined;
  const length = Number(c.req.header("content-length") ?? NaN);
  if (!(length <= MAX_FORM_BYTES)) return "too large";
  const value = (await c.req.parseBody())[CSRF_FIELD];
  return typeof value === "string" ? value : undefined;
}

/** Whether the request may go on as `session`: a safe method, or the session's CSRF token along (SameSite=Strict already keeps other sites' posts cookieless). */
export async function csrfRefusal(c: Context, session: Session): Promise<Response | undefined> {
  if (safeMethod(c.req.method)) return undefined;
  const given = await givenCsrf(c);
  if (given === "too large") return c.json({ error: `the form is larger than ${MAX_FORM_BYTES} bytes` }, 413);
  if (given && sameSecret(given, session.csrf)) return undefined;
  return c.json({ error: `missing or wrong CSRF token (the ${CSRF_HEADER} header or the ${CSRF_FIELD} field); reload the page` }, 403);
}

/** For adminOnly: the session cookie lets the page's own requests (EventSource, fetch) through. */
export function sessionCheck(sessions: SessionStore): SessionCheck {
  return async (c, token) => {
    const session = sessions.find(sessionId(c), token);
    if (!session) return false;
    return (await csrfRefusal(c, session)) ?? true;
  };
}

/** The pages: signed in, or sent to the sign-in page (which comes back here afterwards). */
export function signedIn(deps: Pick<AppDeps, "snapshot" | "env">, sessions: SessionStore): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const token = adminToken(deps);
    const session = token ? sessions.find(sessionId(c), token) : undefined;
    if (!session) {
      const back = c.req.method === "GET" ? `?next=${encodeURIComponent(new URL(c.req.url).pathname + new URL(c.req.url).search)}` : "";
      return c.redirect(`/ui/sign-in${back}`, 303);
    }
    const refused = await csrfRefusal(c, session);
    if (refused) return refused;
    c.set("session", session);
    await next();
  };
}
