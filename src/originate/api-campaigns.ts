import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { NUMBER_TYPES } from "../config/outbound-schema.ts";
import type { AppDeps } from "../http/deps.ts";
import { CampaignError, type CampaignCommand, type NumberEntry } from "./campaign.ts";
import { numbersFromCsv } from "./csv.ts";
import { progressJson } from "./events.ts";
import { checkNumber } from "./numbers.ts";

const OFF = { error: "outbound calls are off: add an outbound: section (and an ami: section) to the config" };
/** A campaign's list in one upload: 16 MiB, at most this many numbers. */
const MAX_NUMBERS = 200_000;
const COMMANDS: readonly CampaignCommand[] = ["start", "pause", "resume", "cancel"];

/** The numbers of an upload: CSV (text/csv), or JSON: an array, or {numbers: [...]}, of numbers or {number, data}. */
function readNumbers(contentType: string, text: string): NumberEntry[] | { error: string } {
  if (/text\/csv|text\/plain/i.test(contentType)) return numbersFromCsv(text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: "the body must be JSON ({\"numbers\": [...]}) or CSV (Content-Type: text/csv)" };
  }
  const list = Array.isArray(body) ? body : (body as { numbers?: unknown } | null)?.numbers;
  if (!Array.isArray(list)) return { error: "numbers must be a list" };
  const entries: NumberEntry[] = [];
  for (const [i, item] of list.entries()) {
    if (typeof item === "string" || typeof item === "number") entries.push({ number: String(item), line: i + 1 });
    else if (item && typeof item === "object" && (typeof (item as { number?: unknown }).number === "string" || typeof (item as { number?: unknown }).number === "number")) {
      entries.push({ number: String((item as { number: string }).number), data: (item as { data?: unknown }).data, line: i + 1 });
    } else return { error: `numbers[${i}] must be a number, or {"number": ..., "data": {...}}` };
  }
  return entries;
}

/** Campaigns (progress, numbers, start/pause/resume/cancel) and the do-not-call list: admin only. */
export function campaignRoutes(deps: AppDeps, admin: MiddlewareHandler): Hono {
  const app = new Hono();
  const service = () => deps.outbound;
  const failed = (error: unknown, c: { json: (body: unknown, status: 404 | 409) => Response }) => {
    if (error instanceof CampaignError) return c.json({ error: error.message }, error.status);
    throw error;
  };

  app.get("/api/campaigns", admin, (c) => {
    const outbound = service();
    if (!outbound) return c.json(OFF, 503);
    return c.json({ campaigns: outbound.campaigns.names().map((name) => progressJson(outbound.campaigns.progress(name))) });
  });

  app.get("/api/campaigns/:name", admin, (c) => {
    const outbound = service();
    if (!outbound) return c.json(OFF, 503);
    try {
      return c.json(progressJson(outbound.campaigns.progress(c.req.param("name"))));
    } catch (error) {
      return failed(error, c);
    }
  });

  app.post("/api/campaigns/:name/numbers", admin, bodyLimit({ maxSize: 16 * 1024 * 1024, onError: (c) => c.json({ error: "an upload is limited to 16 MiB" }, 413) }), async (c) => {
    const outbound = service();
    if (!outbound) return c.json(OFF, 503);
    const entries = readNumbers(c.req.header("content-type") ?? "", await c.req.text());
    if (!Array.isArray(entries)) return c.json(entries, 400);
    if (entries.length > MAX_NUMBERS) return c.json({ error: `at most ${MAX_NUMBERS} numbers in one upload` }, 413);
    try {
      const result = outbound.campaigns.addNumbers(c.req.param("name"), entries);
      return c.json({ added: result.added, duplicates: result.duplicates, refused: result.refused, campaign: progressJson(outbound.campaigns.progress(c.req.param("name"))) });
    } catch (error) {
      return failed(error, c);
    }
  });

  app.post("/api/campaigns/:name/:command", admin, (c) => {
    const outbound = service();
    if (!outbound) return c.json(OFF, 503);
    const command = c.req.param("command") as CampaignCommand;
    if (!COMMANDS.includes(command)) return c.json({ error: `no such command: ${command} (${COMMANDS.join(", ")})` }, 404);
    try {
      outbound.campaigns.command(c.req.param("name"), command);
      return c.json(progressJson(outbound.campaigns.progress(c.req.param("name"))));
    } catch (error) {
      return failed(error, c);
    }
  });

  app.get("/api/dnc", admin, (c) => {
    const outbound = service();
    if (!outbound) return c.json(OFF, 503);
    const limit = Math.min(1000, Math.max(1, Number(c.req.query("limit") ?? 100) || 100));
    const numbers = outbound.dnc.list(limit, c.req.query("after") ?? "");
    return c.json({ numbers: numbers.map((n) => ({ number: n.number, added_at: new Date(n.addedAt).toISOString(), source: n.source, campaign: n.campaign, note: n.note })), next_after: numbers.length === limit ? numbers.at(-1)!.number : null });
  });

  app.post("/api/dnc", admin, bodyLimit({ maxSize: 4096 }), async (c) => {
    const outbound = service();
    const settings = outbound?.settings();
    if (!outbound || !settings) return c.json(OFF, 503);
    const body = (await c.req.json().catch(() => null)) as { number?: unknown; note?: unknown } | null;
    if (!body || (typeof body.number !== "string" && typeof body.number !== "number")) return c.json({ error: 'the body must be {"number": "...", "note": "..."}' }, 400);
    // Any valid number may be listed, whatever the types and countries allowed for dialling.
    const checked = checkNumber(String(body.number), { ...settings.numberRules(), types: NUMBER_TYPES, countries: "any" });
    if (!checked.ok) return c.json({ error: checked.reason }, 400);
    const number = checked.e164;
    const added = outbound.dnc.add(number, "api", { note: typeof body.note === "string" ? body.note.slice(0, 500) : null });
    return c.json({ number, added }, added ? 201 : 200);
  });

  app.delete("/api/dnc/:number", admin, (c) => {
    const outbound = service();
    if (!outbound) return c.json(OFF, 503);
    const number = c.req.param("number").replace(/^%2B/i, "+");
    if (!/^\+\d{3,20}$/.test(number)) return c.json({ error: "the number is in E.164, e.g. +375291234567 (%2B for the +)" }, 400);
    return outbound.dnc.delete(number) ? c.json({ number, removed: true }) : c.json({ error: `${number} is not on the do-not-call list` }, 404);
  });
  return app;
}
