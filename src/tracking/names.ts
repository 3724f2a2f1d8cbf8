/**
 * What channel names and header values mean. Asterisk names a channel
 * `<tech>/<resource>-<uniquifier>`: `PJSIP/101-0000001a`, `SIP/trunk-00000003`, and a Local
 * channel `Local/<exten>@<context>-<uniquifier>;<half>`, its two halves ;1 and ;2.
 */

/** The endpoint a channel belongs to: its name without the uniquifier (and Local half). */
export function endpointOf(channel: string): string {
  const name = channel.replace(/;[12]$/, "");
  const dash = name.lastIndexOf("-");
  const slash = name.indexOf("/");
  return dash > slash && slash !== -1 && /^[0-9a-f]+$/i.test(name.slice(dash + 1)) ? name.slice(0, dash) : name;
}

/** For a Local channel: the pair's common name (`Local/100@agents-00000007`) and which half this is. */
export function localHalf(channel: string): { base: string; half: 1 | 2 } | undefined {
  if (!channel.startsWith("Local/")) return undefined;
  const half = channel.endsWith(";1") ? 1 : channel.endsWith(";2") ? 2 : undefined;
  return half ? { base: channel.slice(0, -2), half } : undefined;
}

/** Asterisk writes `<unknown>` (and sometimes nothing) where a caller id is not known. */
export function known(value: string | undefined): string | undefined {
  return value && value !== "<unknown>" && value !== "unknown" ? value : undefined;
}

/**
 * Caller names in channel headers are C-escaped by the AMI (`Anna "Ann" Lee` arrives as
 * `Anna \"Ann\" Lee`; recorded on Asterisk 22.10): undo the escaping for display.
 */
export function unescapeAmi(value: string): string {
  return value.includes("\\") ? value.replace(/\\(.)/g, "$1") : value;
}

/** CoreShowChannel's Duration, `HH:MM:SS`, in seconds (undefined when unreadable). */
export function durationSeconds(value: string | undefined): number | undefined {
  const match = /^(\d+):(\d{2}):(\d{2})$/.exec(value ?? "");
  return match ? Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) : undefined;
}

/**
 * The number a Dial reached: DialString is what followed the technology in Dial()
 * (`101`, `89991234567@trunk`, `trunk/+79991234567`, `10001@queue-in/n`). The first run of
 * digits (with a leading +) of at least 3 is the number.
 */
export function numberInDialString(dialString: string | undefined): string | undefined {
  return /\+?\d{3,}/.exec(dialString ?? "")?.[0];
}

/** ChannelState values Asterisk reports (ChannelStateDesc): 5 Ringing, 6 Up. */
export const STATE_RINGING = 5;
export const STATE_UP = 6;
