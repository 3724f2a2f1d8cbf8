import { parseRetryAfter } from "../../outbox/backoff.ts";
import { HttpFailure, httpRequest } from "../../outbox/http.ts";
import { LeakyBucket, pause } from "../rate.ts";

/** A RetailCRM answer that is not a success: its errorMsg; `transient` when a later attempt can help. */
export class RetailCrmError extends Error {
  override name = "RetailCrmError";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly transient: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface RetailCrmClientOptions {
  /** https://ACCOUNT.retailcrm.ru */
  url: () => string;
  apiKey: () => string | undefined;
  ratePerSecond?: number;
  telephonyRatePerSecond?: number;
  timeoutMs?: number;
  clock?: () => number;
}

type Answer = { success?: boolean; errorMsg?: string; errors?: unknown } & Record<string, unknown>;

/**
 * RetailCRM's API v5: GET with query parameters, POST with form fields (JSON values as
 * strings: `event=`, `calls=`), the key in the X-API-KEY header; `{"success": true, ...}` or
 * `{"success": false, "errorMsg", "errors"}`. Paced to its published limits: 10 requests a
 * second per key, 40 on the telephony methods (the official Go client's figures). A 429 or
 * 503 means the limit was met: the bucket fills and the request is retried later.
 */
export class RetailCrmClient {
  private readonly general: LeakyBucket;
  private readonly telephony: LeakyBucket;
  requests = 0;

  constructor(private readonly options: RetailCrmClientOptions) {
    // Evenly spaced, as the official client's limiter (a burst of 1), a tenth below the
    // published rate: never more than the rate in any second, whatever the timers' jitter.
    this.general = new LeakyBucket((options.ratePerSecond ?? 10) * 0.9, 1, options.clock);
    this.telephony = new LeakyBucket((options.telephonyRatePerSecond ?? 40) * 0.9, 1, options.clock);
  }

  async get(path: string, query: Record<string, string>, options: { signal?: AbortSignal; budgetMs?: number } = {}): Promise<Answer | undefined> {
    return this.send("GET", `${path}?${new URLSearchParams(query)}`, undefined, options);
  }

  async post(path: string, form: Record<string, string>, options: { signal?: AbortSignal } = {}): Promise<Answer> {
    return (await this.send("POST", path, new URLSearchParams(form).toString(), options))!;
  }

  /** With a budget (a lookup under the SLA): undefined when the rate limit leaves no room. */
  private async send(method: "GET" | "POST", path: string, body: string | undefined, options: { signal?: AbortSignal; budgetMs?: number }): Promise<Answer | undefined> {
    const bucket = path.startsWith("/api/v5/telephony/") ? this.telephony : this.general;
    let timeoutMs = this.options.timeoutMs ?? 10_000;
    if (options.budgetMs !== undefined) {
      const wait = bucket.tryTake(options.budgetMs / 2);
      if (wait === undefined) return undefined;
      await pause(wait);
      timeoutMs = Math.max(1, options.budgetMs - wait);
    } else {
      await pause(bucket.take(), options.signal);
    }
    const key = this.options.apiKey();
    if (!key) throw new RetailCrmError("retailcrm.api_key is not set (its environment variable is empty)", undefined, true);
    this.requests++;
    const name = path.split("?")[0]!;
    let answer;
    try {
      answer = await httpRequest({
        url: `${this.options.url().replace(/\/+$/, "")}${path}`,
        method,
        headers: { "X-API-KEY": key, Accept: "application/json", ...(body !== undefined ? { "Content-Type": "application/x-www-form-urlencoded" } : {}) },
        body,
        timeoutMs,
        signal: options.signal,
      });
    } catch (error) {
      if (error instanceof HttpFailure) throw new RetailCrmError(`${name}: ${error.message}`, undefined, true);
      throw error;
    }
    if (answer.status === 429 || answer.status === 503) {
      bucket.fill();
      throw new RetailCrmError(`${name}: HTTP ${answer.status} (the request limit)`, answer.status, true, parseRetryAfter(answer.headers.get("retry-after"), Date.now()) ?? 1000);
    }
    let json: Answer | undefined;
    try {
      json = JSON.parse(answer.body);
    } catch {
      json = undefined;
    }
    if (!json || typeof json !== "object") {
      // An HTML page: the account's address is wrong ("Account does not exist"), or a proxy's error.
      throw new RetailCrmError(`${name}: the answer (HTTP ${answer.status}) is not JSON${answer.body.trimStart().startsWith("<") ? ": check retailcrm.url" : ""}`, answer.status, true);
    }
    if (answer.status < 300 && json.success !== false) return json;
    const message = `${name}: HTTP ${answer.status}${json.errorMsg ? `: ${json.errorMsg}` : ""}${json.errors ? ` ${JSON.stringify(json.errors)}` : ""}`;
    // A key to fix, or the server's trouble, may pass; a request it refuses will not.
    throw new RetailCrmError(message, answer.status, answer.status >= 500 || answer.status === 401 || answer.status === 403);
  }
}
