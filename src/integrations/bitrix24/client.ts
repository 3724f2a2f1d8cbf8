import { HttpFailure, httpRequest } from "../../outbox/http.ts";
import { LeakyBucket, pause } from "../rate.ts";

/**
 * An answer from Bitrix24 that is not a result: its `error` code and `error_description`
 * (or a failure to get an answer at all). `transient` when trying again later can help:
 * the portal's limits (503 QUERY_LIMIT_EXCEEDED, 429 OPERATION_TIME_LIMIT), server errors,
 * timeouts, a malformed answer, an authorization the administrator must fix.
 */
export class Bitrix24Error extends Error {
  override name = "Bitrix24Error";
  constructor(
    message: string,
    readonly code: string,
    readonly status: number | undefined,
    readonly transient: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface Bitrix24ClientOptions {
  /** The inbound webhook: https://PORTAL/rest/USER/CODE/ (a secret: never logged). */
  webhookUrl: () => string | undefined;
  ratePerSecond?: number;
  burst?: number;
  timeoutMs?: number;
  clock?: () => number;
}

/**
 * Bitrix24's REST API through an inbound webhook: POST https://PORTAL/rest/USER/CODE/METHOD
 * with a JSON body; `{"result": ...}` or `{"error", "error_description"}`. Requests are paced
 * to the portal's published limit: a bucket of 50 draining at 2 a second (Enterprise: 250
 * and 5); a 503 QUERY_LIMIT_EXCEEDED fills our bucket so that the next requests wait.
 */
export class Bitrix24Client {
  readonly bucket: LeakyBucket;
  requests = 0;

  constructor(private readonly options: Bitrix24ClientOptions) {
    this.bucket = new LeakyBucket(options.ratePerSecond ?? 2, options.burst ?? 50, options.clock);
  }

  /** Calls a method, waiting for a place in the bucket if need be. */
  async call<T = unknown>(method: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    await pause(this.bucket.take(), signal);
    return this.send<T>(method, params, signal, this.options.timeoutMs ?? 10_000);
  }

  /** Calls a method only if it can start within `budgetMs` and must answer within it (a lookup under an SLA); undefined if it cannot go. */
  async callWithin<T = unknown>(method: string, params: Record<string, unknown>, budgetMs: number): Promise<T | undefined> {
    const wait = this.bucket.tryTake(budgetMs / 2);
    if (wait === undefined) return undefined;
    await pause(wait);
    return this.send<T>(method, params, undefined, Math.max(1, budgetMs - wait));
  }

  private async send<T>(method: string, params: Record<string, unknown>, signal: AbortSignal | undefined, timeoutMs: number): Promise<T> {
    const base = this.options.webhookUrl();
    if (!base) throw new Bitrix24Error("bitrix24.webhook_url is not set (its environment variable is empty)", "NO_WEBHOOK", undefined, true);
    this.requests++;
    let answer;
    try {
      answer = await httpRequest({ url: `${base.endsWith("/") ? base : `${base}/`}${method}`, headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(params), timeoutMs, signal });
    } catch (error) {
      if (error instanceof HttpFailure) throw new Bitrix24Error(`${method}: ${error.message}`, "NO_ANSWER", undefined, true);
      throw error;
    }
    let json: { result?: T; error?: string; error_description?: string } | undefined;
    try {
      json = JSON.parse(answer.body);
    } catch {
      json = undefined;
    }
    if (!json || typeof json !== "object") throw new Bitrix24Error(`${method}: the answer (HTTP ${answer.status}) is not JSON`, "MALFORMED", answer.status, true);
    if (answer.status === 200 && json.error === undefined && "result" in json) return json.result as T;
    const code = String(json.error ?? `HTTP_${answer.status}`);
    const description = `${method}: ${code}${json.error_description ? ` (${json.error_description})` : ""}, HTTP ${answer.status}`;
    if (code === "QUERY_LIMIT_EXCEEDED") {
      this.bucket.fill();
      throw new Bitrix24Error(description, code, answer.status, true, 1000);
    }
    if (code === "OPERATION_TIME_LIMIT") throw new Bitrix24Error(description, code, answer.status, true, 60_000);
    // Server trouble, or an authorization the administrator fixes (a new webhook code): worth trying again.
    const transient = answer.status >= 500 || answer.status === 401 || answer.status === 429 || answer.status === 200;
    throw new Bitrix24Error(description, code, answer.status, transient);
  }
}
