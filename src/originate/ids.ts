const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * A dial's id, which is also the uniqueid its first channel gets (Originate's ChannelId):
 * `o` + the time in base 36 + 8 random characters. Asterisk's own uniqueids are
 * `<epoch>.<n>`, so ours never collide with them; at most 149 characters are allowed.
 */
export function newDialId(now = Date.now()): string {
  const random = crypto.getRandomValues(new Uint8Array(8));
  let tail = "";
  for (const byte of random) tail += ALPHABET[byte % 36];
  return `o${now.toString(36)}${tail}`;
}

/** What a dial id looks like (an AGI argument or a URL segment is checked against it). */
export const DIAL_ID = /^o[0-9a-z]{6,24}$/;
/** A call id: the dial id, or id.N for a later attempt. */
export const CALL_ID = /^o[0-9a-z]{6,24}(\.\d{1,2})?$/;
