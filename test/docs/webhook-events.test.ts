/**
 * docs/webhook-events.md is generated from the schemas the tests check deliveries against:
 * it cannot drift. IVR_UPDATE_GOLDEN=1 rewrites it.
 */
import { expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sampleBody } from "../../src/integrations/webhooks/samples.ts";
import { jsonSchema, WEBHOOK_SCHEMAS, type WebhookEventType } from "../../src/integrations/webhooks/schemas.ts";

const FILE = join(import.meta.dir, "..", "..", "docs", "webhook-events.md");

function page(): string {
  const types = Object.keys(WEBHOOK_SCHEMAS) as WebhookEventType[];
  const parts = [
    "# Webhook events",
    "",
    "<!-- Generated from src/integrations/webhooks/schemas.ts and samples.ts by test/docs/webhook-events.test.ts",
    "     (IVR_UPDATE_GOLDEN=1 bun test test/docs/webhook-events.test.ts rewrites it). Do not edit by hand. -->",
    "",
    "Every delivery is a POST with a JSON body `{\"type\", \"timestamp\", \"data\"}`, signed as",
    "[integrations.md](integrations.md#webhooks) describes. `data.call_id` names the call and",
    "`data.sequence` numbers its events 1, 2, 3... in the order they happened (events no target",
    "wants are not stored and take no number). Calls' fields are those of the call history",
    "([call-history.md](call-history.md)); times are ISO 8601 in UTC. `ivr webhooks schema [TYPE]`",
    "prints the same JSON Schemas.",
    "",
    "The outbound events (`originate.*`, `campaign.action`) are ordered and numbered per dial,",
    "`data.dial_id` (the id POST /api/originate answered), through all its attempts; `data.call_id`",
    "is the current attempt's call (the dial's id, then id.2, id.3...). On its first attempt the",
    "dial's id is also its call's id, so its events and its call's `call.*` events share one",
    "sequence. A campaign's state events (`campaign.started` ... `campaign.done`) are numbered per",
    "campaign. Events of a change ivr writes (a dial queued, answered or ended, a key's action, a",
    "campaign's state) are stored in the same transaction as the change.",
    "",
    ...types.map((type) => `- [${type}](#${type.replace(/\./g, "")})`),
    "",
  ];
  // Call, Leg and Transfer are shared: shown once at the end, referred to by $ref.
  const shared: Record<string, unknown> = {};
  for (const type of types) {
    const { $defs, ...schema } = jsonSchema(type) as Record<string, unknown> & { $defs?: Record<string, unknown> };
    Object.assign(shared, $defs);
    parts.push(`## ${type}`, "", String(schema.description ?? ""), "", "Example:", "", "```json", JSON.stringify(JSON.parse(sampleBody(type)), null, 2), "```", "", "JSON Schema ($refs: [below](#shared-definitions)):", "", "```json", JSON.stringify(schema, null, 2), "```", "");
  }
  parts.push("## Shared definitions", "", "The `$defs` every schema above refers to (`ivr webhooks schema` prints them inside each schema).", "", "```json", JSON.stringify({ $defs: shared }, null, 2), "```", "");
  return parts.join("\n");
}

test("docs/webhook-events.md is the schemas and samples, as generated", () => {
  const expected = page();
  if (process.env.IVR_UPDATE_GOLDEN === "1") writeFileSync(FILE, expected);
  expect(readFileSync(FILE, "utf8")).toBe(expected);
});
