import { isWebhookEvent, type WebhookSettings } from "../../config/integrations-schema.ts";
import { resolveSecret, secretReference } from "../../config/secret.ts";
import { parseRetryAfter } from "../../outbox/backoff.ts";
import { HttpFailure, httpRequest } from "../../outbox/http.ts";
import type { DeliveryContext, DeliveryItem, DeliveryResult, OutboxEvent, Target } from "../../outbox/types.ts";
import { VERSION } from "../../version.ts";
import { signedHeaders, signingKey } from "./sign.ts";

/** How a webhook is named in the outbox, the API and the logs: its `name`, else the URL's host and path (never its query: it may hold a token). */
export function webhookTargetName(settings: Pick<WebhookSettings, "name" | "url">): string {
  if (settings.name) return `webhook:${settings.name}`;
  const url = new URL(settings.url);
  return `webhook:${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

/** Whether a subscription takes an event type (`*` takes every published one, not the CRMs' own). */
export function subscribed(events: readonly string[], type: string): boolean {
  return events.includes(type) || (events.includes("*") && type !== "*" && isWebhookEvent(type));
}

/**
 * One webhook subscription: a signed POST per event, the body exactly as stored. 2xx is
 * delivered; 410 Gone is a refusal (a dead letter at once); redirects are not followed;
 * everything else (other statuses, no answer) is retried, after Retry-After when the
 * receiver gives one (429, 503).
 */
export class WebhookTarget implements Target {
  readonly name: string;
  readonly batch = 1;
  readonly concurrency: number;

  constructor(
    private readonly settings: WebhookSettings,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.name = webhookTargetName(settings);
    this.concurrency = settings.concurrency ?? 4;
  }

  accepts(event: OutboxEvent): boolean {
    return subscribed(this.settings.events, event.type);
  }

  async deliver(items: readonly DeliveryItem[], context: DeliveryContext): Promise<DeliveryResult> {
    const item = items[0]!;
    const secret = resolveSecret(this.settings.secret, this.env);
    if (!secret) return { delivered: 0, error: `its secret refers to \${${secretReference(this.settings.secret)}}, which is not set` };
    return postSigned(this.settings.url, item, signingKey(secret), { timeoutMs: (this.settings.timeout_seconds ?? 10) * 1000, signal: context.signal, now: context.now() });
  }
}

/** POSTs one stored event, signed; what the answer means for the delivery. */
export async function postSigned(url: string, item: Pick<DeliveryItem, "messageId" | "payload">, key: Buffer, options: { timeoutMs: number; signal?: AbortSignal; now: number }): Promise<DeliveryResult> {
  const timestamp = Math.floor(options.now / 1000);
  const headers = { "Content-Type": "application/json", "User-Agent": `ivr/${VERSION}`, ...signedHeaders(item.messageId, timestamp, item.payload, key) };
  let status: number;
  let retryAfter: string | null;
  try {
    const answer = await httpRequest({ url, headers, body: item.payload, timeoutMs: options.timeoutMs, signal: options.signal, maxBytes: 4096 });
    status = answer.status;
    retryAfter = answer.headers.get("retry-after");
  } catch (error) {
    if (error instanceof HttpFailure) return { delivered: 0, error: error.message };
    throw error;
  }
  if (status >= 200 && status < 300) return { delivered: 1 };
  if (status === 410) return { delivered: 0, error: "HTTP 410 Gone: the receiver wants no more deliveries", permanent: true };
  if (status >= 300 && status < 400) return { delivered: 0, error: `HTTP ${status}: redirects are not followed; update the webhook's url` };
  return { delivered: 0, error: `HTTP ${status}`, retryAfterMs: parseRetryAfter(retryAfter, options.now) };
}
