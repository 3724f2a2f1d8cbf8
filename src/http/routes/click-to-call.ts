import { type Context, Hono } from "hono";
import { resolveSecret } from "../../config/secret.ts";
import { sameSecret } from "../auth.ts";
import type { AppDeps } from "../deps.ts";
import { RateLimiter } from "../rate-limit.ts";

/** Wrong tokens allowed per client address, as for the admin token. */
const WRONG_PER_SECOND = 2;
const MAX_BODY = 64 * 1024;

/** A request's parameters: a form with PHP's nested keys (data[USER_ID]), JSON, or the query. */
async function parameters(request: Request): Promise<Record<string, string> | undefined> {
  const url = new URL(request.url);
  const flat: Record<string, string> = Object.fromEntries(url.searchParams);
  if (request.method !== "POST") return flat;
  const text = await request.text();
  if (text.length > MAX_BODY) return undefined;
  if (request.headers.get("content-type")?.includes("json")) {
    try {
      const walk = (value: unknown, prefix: string) => {
        if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}[${k}]` : k);
        else flat[prefix] = String(value ?? "");
      };
      walk(JSON.parse(text), "");
    } catch {
      return undefined;
    }
    return flat;
  }
  for (const [key, value] of new URLSearchParams(text)) flat[key] = value;
  return flat;
}

/**
 * The CRMs' click-to-call entry points, authenticated by their own shared secrets (not the
 * admin token): Bitrix24 posts OnExternalCallStart to /api/integrations/bitrix24/events with
 * auth[application_token]; RetailCRM calls makeCallUrl (/api/integrations/retailcrm/make-call)
 * with its clientId. Both go to the originator: outbound calls' click-to-call, or a refusal
 * with its reason and status (Bitrix24's call card is finished with it).
 */
export function clickToCallRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const limiter = new RateLimiter();
  const refuse = (c: Context, why: string) => {
    if (!limiter.allow(`crm|${deps.clientIp(c) ?? "unknown"}`, WRONG_PER_SECOND, 10)) return c.json({ error: "too many wrong tokens from this address; wait and retry" }, 429);
    return c.json({ error: why }, 401);
  };

  app.post("/api/integrations/bitrix24/events", async (c) => {
    const integrations = deps.integrations;
    const settings = deps.snapshot().config.integrations?.bitrix24;
    if (!integrations || !settings) return c.json({ error: "Bitrix24 is not configured (integrations.bitrix24)" }, 404);
    const expected = settings.application_token === undefined ? undefined : resolveSecret(settings.application_token, deps.env);
    if (!expected) return c.json({ error: "set integrations.bitrix24.application_token to accept Bitrix24's events" }, 403);
    const p = await parameters(c.req.raw);
    if (!p) return c.json({ error: "the body is not a form or JSON (or is over 64 KiB)" }, 400);
    if (!sameSecret(p["auth[application_token]"] ?? "", expected)) return refuse(c, "wrong application_token");
    if ((p.event ?? "").toUpperCase() !== "ONEXTERNALCALLSTART") return c.json({ ignored: p.event ?? null });
    const phone = p["data[PHONE_NUMBER_INTERNATIONAL]"] || p["data[PHONE_NUMBER]"];
    if (!phone || !p["data[USER_ID]"]) return c.json({ error: "data[PHONE_NUMBER] and data[USER_ID] are required" }, 400);
    const result = await integrations.clickToCall({ source: "bitrix24", userId: p["data[USER_ID]"], phone, crmCallId: p["data[CALL_ID]"] });
    return result.ok ? c.json({ ok: true, id: result.id ?? null }) : c.json({ error: result.reason }, result.status ?? 400);
  });

  const makeCall = async (c: Context) => {
    const integrations = deps.integrations;
    const settings = deps.snapshot().config.integrations?.retailcrm;
    if (!integrations || !settings) return c.json({ success: false, errorMsg: "RetailCRM is not configured (integrations.retailcrm)" }, 404);
    const expected = settings.client_id === undefined ? undefined : resolveSecret(settings.client_id, deps.env);
    if (!expected) return c.json({ success: false, errorMsg: "set integrations.retailcrm.client_id to accept makeCallUrl requests" }, 403);
    const p = await parameters(c.req.raw);
    if (!p) return c.json({ success: false, errorMsg: "the body is not a form or JSON (or is over 64 KiB)" }, 400);
    if (!sameSecret(p.clientId ?? "", expected)) return refuse(c, "wrong clientId");
    if (!p.phone || !p.code) return c.json({ success: false, errorMsg: "phone and code are required" }, 400);
    const result = await integrations.clickToCall({ source: "retailcrm", extension: p.code, phone: p.phone, userId: p.userId });
    return result.ok ? c.json({ success: true }) : c.json({ success: false, errorMsg: result.reason }, result.status ?? 400);
  };
  app.get("/api/integrations/retailcrm/make-call", makeCall);
  app.post("/api/integrations/retailcrm/make-call", makeCall);
  return app;
}
