import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Decision, DecisionRequest } from "../../smart/decide.ts";
import type { AppDeps } from "../deps.ts";
import { cidrContains } from "../ip.ts";
import { RateLimiter } from "../rate-limit.ts";

/** Requests with a missing or wrong token, per client address: 2 a second, bursts of 10. */
const BAD_TOKENS_PER_SECOND = 2;
const BAD_TOKENS_BURST = 10;

/** The legacy macro's body; values may come as strings or numbers. */
function readLegacyBody(body: unknown): { request: DecisionRequest; uniqueid?: string } | { error: string } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { error: "the body must be a JSON object" };
  const fields = body as Record<string, unknown>;
  const text = (key: string) => (typeof fields[key] === "string" || typeof fields[key] === "number" ? String(fields[key]).trim() : undefined);
  const phone = text("Phone");
  const line = text("TrunkId");
  if (!phone) return { error: "Phone is required" };
  if (!line) return { error: "TrunkId is required" };
  // The macro sends the string "true"; a missing value keeps the macro's behaviour.
  const load = fields.LoadDialPlan;
  let loadDialPlan = true;
  if (load !== undefined) {
    if (load === true || load === "true" || load === 1 || load === "1") loadDialPlan = true;
    else if (load === false || load === "false" || load === 0 || load === "0") loadDialPlan = false;
    else return { error: 'LoadDialPlan must be "true" or "false"' };
  }
  return { request: { phone, line, loadDialPlan }, uniqueid: text("UniqueId") };
}

/** The test call's body: {enterprise, phone, line, load_dial_plan?}. */
function readTestBody(body: unknown): { enterprise: string; request: DecisionRequest } | { error: string } {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return { error: "the body must be a JSON object" };
  const fields = body as Record<string, unknown>;
  const text = (key: string) => (typeof fields[key] === "string" || typeof fields[key] === "number" ? String(fields[key]).trim() : undefined);
  const phone = text("phone");
  const line = text("line");
  if (!phone || !line) return { error: "phone and line are required (strings)" };
  const load = fields.load_dial_plan;
  if (load !== undefined && typeof load !== "boolean") return { error: "load_dial_plan must be true or false" };
  return { enterprise: text("enterprise") ?? "", request: { phone, line, loadDialPlan: load !== false } };
}

const answer = (decision: Pick<Decision, "name" | "dialPlan">) => ({ Name: decision.name, DialPlan: decision.dialPlan });
const NOTHING = { Name: null, DialPlan: null };

/** `admin` guards the admin endpoints (adminOnly, shared by every route group). */
export function smartRoutes(deps: AppDeps, admin: MiddlewareHandler): Hono {
  const app = new Hono();
  const limiter = new RateLimiter();
  const { metrics } = deps;

  /**
   * POST /api/callevent/getcustomerdata, as the getcustomerdata macro calls it: header
   * `Token`, JSON {UniqueId, Phone, TrunkId, LoadDialPlan} (or the same as form fields),
   * answer {Name, DialPlan}. Refusals
   * are 4xx with a reason; once the request is accepted the answer is always 200, with nulls
   * when anything goes wrong, so the PBX just routes the call normally.
   */
  app.post(
    "/api/callevent/getcustomerdata",
    bodyLimit({
      maxSize: 4096,
      onError: (c) => {
        metrics.smartRequests.inc({ outcome: "too_large" });
        return c.json({ error: "the body is larger than 4096 bytes" }, 413);
      },
    }),
    async (c) => {
      const started = performance.now();
      const refuse = (status: 400 | 401 | 403 | 429, outcome: string, error: string) => {
        metrics.smartRequests.inc({ outcome });
        return c.json({ error }, status);
      };
      const ip = deps.clientIp(c) ?? "unknown";
      const token = c.req.header("token");
      const enterprise = token ? deps.smart.byToken(token) : undefined;
      if (!enterprise) {
        // Guessing tokens is slowed down per address.
        if (!limiter.allow(`anonymous|${ip}`, BAD_TOKENS_PER_SECOND, BAD_TOKENS_BURST)) return refuse(429, "rate_limited", "too many requests with a bad token");
        return refuse(401, "unauthorized", token ? "unknown token" : "the Token header is missing");
      }
      if (enterprise.allowIps.length && !enterprise.allowIps.some((cidr) => cidrContains(cidr, ip))) {
        deps.log.warn(`smart: ${ip} is not in allow_ips of enterprise ${enterprise.id}`);
        return refuse(403, "forbidden", `${ip} is not allowed for this enterprise`);
      }
      if (!limiter.allow(`${enterprise.id}|${ip}`, enterprise.ratePerSecond)) return refuse(429, "rate_limited", "rate limit exceeded");
      let body: unknown;
      try {
        // The macro posts JSON; the generated CURL Gosub posts form fields (no quotes or
        // commas for CURL's argument parsing to mangle). Told apart by the body, not the
        // Content-Type: CURL() labels everything form-encoded unless told otherwise.
        const text = await c.req.text();
        body = /^\s*[{[]/.test(text) || !text.includes("=") ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
      } catch (error) {
        return refuse(400, "bad_request", `malformed JSON: ${(error as Error).message}`);
      }
      const parsed = readLegacyBody(body);
      if ("error" in parsed) return refuse(400, "bad_request", parsed.error);
      try {
        const decision = await deps.smart.decide(enterprise, parsed.request, { via: "http", uniqueid: parsed.uniqueid });
        metrics.smartRequests.inc({ outcome: decision.outcome });
        metrics.smartCache.inc({ result: decision.cached ? "hit" : "miss" });
        metrics.smartRules.inc({ rule: decision.rule ?? "none" });
        return c.json(answer(decision));
      } catch (error) {
        deps.log.error(`smart: decision failed for enterprise ${enterprise.id}: ${(error as Error).stack ?? error}`);
        metrics.smartRequests.inc({ outcome: "error" });
        return c.json(NOTHING);
      } finally {
        metrics.smartLatency.observe((performance.now() - started) / 1000);
      }
    },
  );


  /** The "test call" button: the decision for a number, explained; nothing cached or logged. */
  app.post("/api/smart/test", admin, bodyLimit({ maxSize: 4096 }), async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch (error) {
      return c.json({ error: `malformed JSON: ${(error as Error).message}` }, 400);
    }
    const parsed = readTestBody(body);
    if ("error" in parsed) return c.json({ error: parsed.error }, 400);
    const enterprise = deps.smart.enterprise(parsed.enterprise);
    if (!enterprise) return c.json({ error: `no enterprise "${parsed.enterprise}" under smart.enterprises` }, 404);
    const { request } = parsed;
    const decision = await deps.smart.explain(enterprise, request);
    return c.json({ response: answer(decision), decision });
  });

  app.post("/api/smart/cache/clear", admin, (c) => c.json({ cleared: deps.smart.clearCache() }));
  return app;
}
