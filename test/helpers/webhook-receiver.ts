import { createHmac, timingSafeEqual } from "node:crypto";

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** The signature checked out (HMAC-SHA256 of id.timestamp.body with the secret's bytes). */
  verified: boolean;
  json: { type: string; timestamp: string; data: Record<string, any> };
}

/**
 * A webhook receiver over real HTTP that checks Standard Webhooks signatures the way the
 * spec tells a receiver to, written from the spec rather than from the product's code: the
 * key is the base64 after `whsec_`; `webhook-signature` holds space-separated `v1,<base64>`.
 * It can be slow (`delayMs`) or answer what a test wants (`respond`).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Requests that arrived, answered or not yet (a slow receiver). */
  arrived = 0;
  delayMs = 0;
  respond: (hook: ReceivedWebhook) => Response | undefined = () => undefined;
  private server: ReturnType<typeof Bun.serve> | undefined;

  constructor(readonly secret: string) {}

  start(port = 0): this {
    this.server = Bun.serve({
      hostname: "127.0.0.1",
      port,
      idleTimeout: 60,
      fetch: async (request) => {
        this.arrived++;
        const body = await request.text();
        const hook: ReceivedWebhook = {
          id: request.headers.get("webhook-id") ?? "",
          timestamp: request.headers.get("webhook-timestamp") ?? "",
          signature: request.headers.get("webhook-signature") ?? "",
          body,
          verified: false,
          json: JSON.parse(body),
        };
        hook.verified = this.check(hook);
        if (this.delayMs) await Bun.sleep(this.delayMs);
        const answer = this.respond(hook);
        if (answer && answer.status >= 300) return answer;
        this.received.push(hook);
        return answer ?? new Response("ok");
      },
    });
    return this;
  }

  get port(): number {
    return this.server!.port!;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/ivr`;
  }

  stop(): void {
    this.server?.stop(true);
  }

  /** Each event once (deliveries repeated after a failure or a restart carry the same webhook-id). */
  unique(): ReceivedWebhook[] {
    const seen = new Set<string>();
    return this.received.filter((hook) => !seen.has(hook.id) && seen.add(hook.id));
  }

  private check(hook: ReceivedWebhook): boolean {
    const key = Buffer.from(this.secret.replace(/^whsec_/, ""), "base64");
    const expected = createHmac("sha256", key).update(`${hook.id}.${hook.timestamp}.${hook.body}`).digest();
    const fresh = Math.abs(Date.now() / 1000 - Number(hook.timestamp)) < 300;
    return (
      fresh &&
      hook.signature.split(" ").some((part) => {
        const [version, value] = part.split(",");
        const given = Buffer.from(value ?? "", "base64");
        return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected);
      })
    );
  }
}

/** A fixed secret for tests: 32 bytes. */
export const TEST_SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
