import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks signatures (v1, symmetric): the HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>` with the secret's bytes (the base64 after
 * `whsec_`), sent as `webhook-signature: v1,<base64>`; the timestamp is Unix seconds.
 */
export function signingKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");
}

export function sign(messageId: string, timestamp: number, body: string, key: Buffer): string {
  return `v1,${createHmac("sha256", key).update(`${messageId}.${timestamp}.${body}`).digest("base64")}`;
}

/** The three headers of a signed delivery. */
export function signedHeaders(messageId: string, timestamp: number, body: string, key: Buffer): Record<string, string> {
  return { "webhook-id": messageId, "webhook-timestamp": String(timestamp), "webhook-signature": sign(messageId, timestamp, body, key) };
}

/**
 * A receiver's check: one of the space-separated signatures matches (compared in constant
 * time) and the timestamp is within `toleranceSeconds` of `now` (replays are refused).
 */
export function verify(headers: { id: string; timestamp: string; signature: string }, body: string, key: Buffer, now = Date.now(), toleranceSeconds = 300): boolean {
  const timestamp = Number(headers.timestamp);
  if (!/^\d+$/.test(headers.timestamp) || Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(headers.id, timestamp, body, key).slice(3), "base64");
  return headers.signature.split(" ").some((candidate) => {
    if (!candidate.startsWith("v1,")) return false;
    const given = Buffer.from(candidate.slice(3), "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** A new secret: 32 random bytes, as whsec_<base64>. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}
