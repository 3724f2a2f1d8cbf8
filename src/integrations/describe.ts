import type { IvrConfig } from "../config/schema.ts";
import { resolveSecret, secretReference } from "../config/secret.ts";
import { webhookTargetName } from "./webhooks/target.ts";

/** `ivr check`'s lines about integrations: where events go, and what is missing for them to. */
export function describeIntegrations(config: IvrConfig, env: NodeJS.ProcessEnv = process.env): { description: string; notes: string[] } | undefined {
  const integrations = config.integrations;
  if (!integrations || (!integrations.webhooks?.length && !integrations.bitrix24 && !integrations.retailcrm)) return undefined;
  const parts: string[] = [];
  const notes: string[] = [];
  const unset = (what: string, value: string | undefined) => {
    const variable = value === undefined ? undefined : secretReference(value);
    if (variable && resolveSecret(value!, env) === undefined) notes.push(`${what}: \${${variable}} is not set here: ivr serve needs it in its environment`);
  };
  for (const webhook of integrations.webhooks ?? []) {
    parts.push(`${webhookTargetName(webhook)} (${webhook.events.join(", ")})`);
    unset(`${webhookTargetName(webhook)} secret`, webhook.secret);
  }
  if (integrations.bitrix24) {
    const b = integrations.bitrix24;
    parts.push(`bitrix24 (${b.register_calls === false ? "lookups only" : `calls registered${b.default_user_id !== undefined ? `, default user ${b.default_user_id}` : ""}`})`);
    unset("bitrix24.webhook_url", b.webhook_url);
    if (b.register_calls !== false && b.default_user_id === undefined) notes.push("bitrix24: no default_user_id: a call no phone of which has a Bitrix24 user cannot be registered (a dead letter)");
  }
  if (integrations.retailcrm) {
    const r = integrations.retailcrm;
    parts.push(`retailcrm ${new URL(r.url).host} (${r.register_calls === false ? "lookups only" : "calls sent"})`);
    unset("retailcrm.api_key", r.api_key);
  }
  if (!config.ami && (integrations.bitrix24?.register_calls !== false || integrations.webhooks?.length)) notes.push("no ami: section: no call events (call.*) and no CRM call registration; ivr.input and smart.decision still go out");
  const hours = integrations.outbox?.retry_hours ?? 24;
  return { description: `${parts.join("; ")}; deliveries retried for ${hours} h`, notes };
}
