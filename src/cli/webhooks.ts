import { isSigningSecret } from "../config/integrations-schema.ts";
import { loadConfigFile } from "../config/load.ts";
import { findConfig } from "../config/paths.ts";
import { resolveSecret, secretReference } from "../config/secret.ts";
import { HttpFailure, httpRequest } from "../outbox/http.ts";
import { newMessageId } from "../outbox/store.ts";
import { sampleBody } from "../integrations/webhooks/samples.ts";
import { jsonSchema, WEBHOOK_SCHEMAS, type WebhookEventType } from "../integrations/webhooks/schemas.ts";
import { newSecret, signedHeaders, signingKey } from "../integrations/webhooks/sign.ts";
import { VERSION } from "../version.ts";
import { CommandFailure, parseFlags, parseSeconds, UsageError } from "./args.ts";
import { orCommandFailure } from "./load-config.ts";

const TYPES = Object.keys(WEBHOOK_SCHEMAS) as WebhookEventType[];

/** `ivr webhooks test URL`, `ivr webhooks secret`, `ivr webhooks schema [TYPE]`. */
export async function runWebhooks(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, { config: { type: "string" }, event: { type: "string" }, secret: { type: "string" }, timeout: { type: "string" } }, true);
  const [action, ...rest] = positionals;
  if (action === "secret") {
    process.stdout.write(`${newSecret()}\n`);
    return 0;
  }
  if (action === "schema") {
    const type = rest[0];
    if (type !== undefined && !TYPES.includes(type as WebhookEventType)) throw new UsageError(`unknown event "${type}": one of ${TYPES.join(", ")}`);
    const schemas = type ? jsonSchema(type as WebhookEventType) : Object.fromEntries(TYPES.map((t) => [t, jsonSchema(t)]));
    process.stdout.write(`${JSON.stringify(schemas, null, 2)}\n`);
    return 0;
  }
  if (action !== "test") throw new UsageError(action === undefined ? "give an action: test URL, secret or schema" : `unknown action "${action}": test URL, secret or schema`);
  const url = rest[0];
  if (!url || rest.length > 1) throw new UsageError("test takes one URL: ivr webhooks test https://example.com/hooks/ivr");
  if (!/^https?:\/\/[^/]/.test(url)) throw new UsageError(`"${url}" is not an http:// or https:// URL`);
  const type = (values.event ?? "call.ended") as WebhookEventType;
  if (!TYPES.includes(type)) throw new UsageError(`--event takes one of ${TYPES.join(", ")}, not "${values.event}"`);
  const secret = values.secret ?? configuredSecret(url, values.config);
  if (!isSigningSecret(secret)) throw new UsageError("the secret must be whsec_ followed by the base64 of 24 to 64 bytes (ivr webhooks secret prints one)");
  const timeoutMs = (parseSeconds(values.timeout, "--timeout") ?? 10) * 1000;

  const messageId = newMessageId();
  const body = sampleBody(type);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = signedHeaders(messageId, timestamp, body, signingKey(secret));
  process.stdout.write(`POST ${url}\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${body}\n\n`);
  try {
    const answer = await httpRequest({ url, headers: { "Content-Type": "application/json", "User-Agent": `ivr/${VERSION}`, ...headers }, body, timeoutMs, maxBytes: 4096 });
    const shown = answer.body.length > 300 ? `${answer.body.slice(0, 300)}...` : answer.body;
    process.stdout.write(`-> HTTP ${answer.status}${shown ? `: ${shown}` : ""}\n`);
    if (answer.status >= 200 && answer.status < 300) return 0;
    throw new CommandFailure(`the receiver answered HTTP ${answer.status}: a delivery would be ${answer.status === 410 ? "given up (410 Gone)" : "retried"}`);
  } catch (error) {
    if (error instanceof HttpFailure) throw new CommandFailure(`no delivery: ${error.message}`);
    throw error;
  }
}

/** The secret of the webhook configured with this URL. */
function configuredSecret(url: string, configFlag: string | undefined): string {
  const location = findConfig(configFlag);
  const webhook = location ? orCommandFailure(() => loadConfigFile(location.path)).config.integrations?.webhooks?.find((w) => w.url === url) : undefined;
  if (!webhook) throw new UsageError(`no webhook with this url in the config${location ? ` (${location.path})` : ""}: give --secret`);
  const value = resolveSecret(webhook.secret);
  if (!value) throw new CommandFailure(`the webhook's secret refers to \${${secretReference(webhook.secret)}}, which is not set here`);
  return value;
}

