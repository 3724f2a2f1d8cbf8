import type { Hono } from "hono";
import { ADMIN } from "../helpers/http-app.ts";

/** A browser's session with the operator page, over app.request: the cookie and the page's CSRF token. */
export interface UiSession {
  cookie: string;
  csrf: string;
  get(path: string, init?: RequestInit): Response | Promise<Response>;
  /** A form post with the CSRF field, as the page's forms send it. */
  post(path: string, fields: Record<string, string>, csrf?: string | null): Response | Promise<Response>;
}

export function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  const body = new URLSearchParams(fields).toString();
  return { method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(Buffer.byteLength(body)), ...headers } };
}

export function cookieOf(res: Response): string {
  const header = res.headers.get("set-cookie") ?? "";
  return header.split(";")[0]!;
}

export async function signIn(app: Hono, token = ADMIN): Promise<UiSession> {
  const res = await app.request("/ui/sign-in", form({ token, next: "/ui" }));
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const cookie = cookieOf(res);
  const page = await (await app.request("/ui/tools", { headers: { Cookie: cookie } })).text();
  const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1];
  if (!csrf) throw new Error(`no CSRF token in the page:\n${page.slice(0, 500)}`);
  return {
    cookie,
    csrf,
    get: (path, init = {}) => app.request(path, { ...init, headers: { ...(init.headers as Record<string, string>), Cookie: cookie } }),
    post: (path, fields, given = csrf) => app.request(path, form(given === null ? fields : { ...fields, _csrf: given }, { Cookie: cookie })),
  };
}
