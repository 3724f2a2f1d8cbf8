/**
 * One HTTP request to a receiver (a webhook, a CRM), with the limits every peer gets: a
 * timeout, no redirects followed (a 3xx is an answer, not an instruction: Standard
 * Webhooks), and at most `maxBytes` of the answer read.
 */
export interface HttpRequest {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  maxBytes?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
  /** The answer was longer than maxBytes: `body` is its beginning. */
  truncated: boolean;
}

/** The request did not get an answer: refused, reset, timed out. The message never contains the URL. */
export class HttpFailure extends Error {
  override name = "HttpFailure";
}

const DEFAULT_MAX_BYTES = 256 * 1024;

export async function httpRequest(request: HttpRequest): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(request.url, { method: request.method ?? "POST", headers: request.headers, body: request.body, redirect: "manual", signal });
  } catch (error) {
    throw new HttpFailure(describeFailure(error, timeout.aborted, request.timeoutMs));
  }
  try {
    const { text, truncated } = await readBounded(response, request.maxBytes ?? DEFAULT_MAX_BYTES);
    return { status: response.status, headers: response.headers, body: text, truncated };
  } catch (error) {
    throw new HttpFailure(`the answer (HTTP ${response.status}) could not be read: ${describeFailure(error, timeout.aborted, request.timeoutMs)}`);
  }
}

async function readBounded(response: Response, maxBytes: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.length > maxBytes) {
      chunks.push(value.subarray(0, maxBytes - size));
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    size += value.length;
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated };
}

/** Why a request failed, in words, without the URL (it may carry a secret: Bitrix24's webhook code). */
function describeFailure(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${timeoutMs / 1000} s`;
  const { name, code, message } = (error ?? {}) as { name?: string; code?: string; message?: string };
  if (name === "AbortError") return "aborted (ivr serve is stopping)";
  if (code === "ConnectionRefused" || code === "ECONNREFUSED") return "connection refused";
  if (code === "ECONNRESET" || code === "ConnectionClosed") return "connection reset";
  return (code ? `${code}: ` : "") + String(message ?? error).replace(/https?:\/\/\S+/g, "<url>");
}
