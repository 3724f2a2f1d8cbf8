import { z } from "zod";
import { boolean, integer, nonEmpty, seconds, text } from "./fields.ts";

/** Events a webhook can subscribe to: the calls', and origination's and campaigns' (src/integrations/webhooks/schemas.ts has their bodies). */
export const WEBHOOK_EVENTS = [
  "call.started",
  "call.ringing",
  "call.answered",
  "call.transferred",
  "call.merged",
  "call.ended",
  "ivr.input",
  "smart.decision",
  "originate.queued",
  "originate.dialing",
  "originate.ringing",
  "originate.answered",
  "originate.ended",
  "campaign.action",
  "campaign.started",
  "campaign.paused",
  "campaign.resumed",
  "campaign.cancelled",
  "campaign.done",
] as const;

export function isWebhookEvent(name: string): boolean {
  return name === "*" || (WEBHOOK_EVENTS as readonly string[]).includes(name);
}

const ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** An http(s) URL; or ${ENV_VAR} where the URL itself is a secret (Bitrix24's webhook carries its code). */
const httpUrl = nonEmpty.refine((value) => {
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, "must be an http:// or https:// URL");

const secretUrl = nonEmpty.refine((value) => ENV_REFERENCE.test(value) || httpUrl.safeParse(value).success, "must be an https:// URL, or ${ENV_VAR} to take it from the environment");

/**
 * A Standard Webhooks signing secret: `whsec_` and the base64 of 24 to 64 random bytes
 * (`ivr webhooks secret` makes one), or ${ENV_VAR}.
 */
export const webhookSecret = nonEmpty.refine((value) => ENV_REFERENCE.test(value) || isSigningSecret(value), "must be whsec_ followed by the base64 of 24 to 64 bytes (ivr webhooks secret prints one), or ${ENV_VAR}");

export function isSigningSecret(value: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (!match) return false;
  const bytes = Buffer.from(match[1]!, "base64").length;
  return bytes >= 24 && bytes <= 64;
}

/** A secret of another system (an API key, a token): any non-empty value, or ${ENV_VAR}. */
const foreignSecret = nonEmpty;

const webhookName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "a webhook name is letters, digits, _ . - (at most 64)");

const webhookSchema = z.strictObject({
  /** How deliveries to it are named in the outbox and the logs (default: the URL's host and path). */
  name: webhookName.optional(),
  url: httpUrl,
  secret: webhookSecret,
  events: z
    .array(nonEmpty.refine(isWebhookEvent, `an event is one of ${WEBHOOK_EVENTS.join(", ")}, or * for all`))
    .min(1, "give at least one event"),
  timeout_seconds: seconds(1, 60).optional(),
  /** Deliveries in flight at once (each for a different call). */
  concurrency: integer(1, 64).optional(),
});

/** A template for a call's recording URL: {uniqueid}, {linkedid} and {call_id} are replaced. */
const recordingUrl = nonEmpty.refine((value) => /^https?:\/\//.test(value), "must be an http:// or https:// URL template, e.g. https://pbx.example.com/rec/{uniqueid}.mp3");

const bitrix24Schema = z.strictObject({
  /** The inbound webhook from the portal (https://PORTAL/rest/USER/CODE/), a secret: ${ENV_VAR} recommended. */
  webhook_url: secretUrl,
  /** Register every call with an outside party (telephony.externalcall.register ... finish). */
  register_calls: boolean.optional(),
  /** Show the call card to the users whose phones ring. */
  show_card: boolean.optional(),
  /** CRM_CREATE: a lead for a number the CRM does not know. */
  create_leads: boolean.optional(),
  /** The Bitrix24 user a call is registered to when no ringing phone belongs to one. */
  default_user_id: integer(1, 1e12).optional(),
  /** LINE_NUMBER (telephony.externalLine.add). */
  line_number: text.optional(),
  recording_url: recordingUrl.optional(),
  /** How long the extension -> user map (user.get by UF_PHONE_INNER) is kept before it is read again. */
  users_ttl_seconds: seconds(10, 86_400).optional(),
  /** How long a lookup's answer (name, responsible user) is kept. */
  lookup_cache_seconds: seconds(0, 86_400).optional(),
  /** The application_token Bitrix24 sends with OnExternalCallStart (click-to-call). */
  application_token: foreignSecret.optional(),
  /** The portal's request limit: a bucket of `burst` draining at `rate_per_second` (2 and 50; Enterprise 5 and 250). */
  rate_per_second: seconds(0.1, 1000).optional(),
  burst: integer(1, 10_000).optional(),
  timeout_seconds: seconds(1, 60).optional(),
});

const retailcrmSchema = z.strictObject({
  /** The account's address: https://ACCOUNT.retailcrm.ru */
  url: httpUrl,
  api_key: foreignSecret,
  /** The telephony integration's clientId: sent with call events, and required of makeCallUrl requests. */
  client_id: foreignSecret.optional(),
  site: text.optional(),
  register_calls: boolean.optional(),
  /** RetailCRM user id -> extension, over the manager's code in RetailCRM. */
  managers: z.record(z.string().regex(/^\d+$/, "a RetailCRM user id is digits"), nonEmpty.refine((v) => /^\d+$/.test(v), "an extension is digits")).optional(),
  recording_url: recordingUrl.optional(),
  lookup_cache_seconds: seconds(0, 86_400).optional(),
  /** Published limits: 10 requests a second per key, 40 on the telephony methods. */
  rate_per_second: seconds(0.1, 1000).optional(),
  telephony_rate_per_second: seconds(0.1, 1000).optional(),
  timeout_seconds: seconds(1, 60).optional(),
});

const outboxSchema = z.strictObject({
  /** How long a delivery is retried before it is given up (a dead letter). */
  retry_hours: seconds(0.01, 720).optional(),
  /** Delivered deliveries are kept this long (for GET /api/outbox). */
  keep_days: integer(1, 3650).optional(),
});

/**
 * `integrations:`: everything that leaves the product goes through one outbox: webhooks
 * (Standard Webhooks signatures) and CRM sync (Bitrix24, RetailCRM).
 */
export const integrationsSchema = z.strictObject({
  webhooks: z.array(webhookSchema).optional(),
  bitrix24: bitrix24Schema.optional(),
  retailcrm: retailcrmSchema.optional(),
  outbox: outboxSchema.optional(),
});

/** The CRMs Smart Redirect can ask (an enterprise's `crm:` order). */
export const CRM_NAMES = ["bitrix24", "retailcrm"] as const;
export type CrmName = (typeof CRM_NAMES)[number];

export type IntegrationsSettings = z.infer<typeof integrationsSchema>;
export type WebhookSettings = z.infer<typeof webhookSchema>;
export type Bitrix24Settings = z.infer<typeof bitrix24Schema>;
export type RetailCrmSettings = z.infer<typeof retailcrmSchema>;
