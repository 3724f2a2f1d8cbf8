import type { CallStatus } from "../ivr/outcome.ts";

/**
 * Every status a call record can have, in the order help texts list them. `ivr calls
 * --status` and `GET /api/calls?status=` accept exactly these, so both refuse a typo the
 * same way instead of answering "no calls".
 */
export const CALL_STATUSES = [
  "answered",
  "busy",
  "no_answer",
  "unavailable",
  "abandoned",
  "failed",
  "hungup_in_menu",
  "no_selection",
  "smart_redirect",
] as const satisfies readonly CallStatus[];

// Compile-time: a CallStatus added to the IVR without being listed here fails the type check.
type Unlisted = Exclude<CallStatus, (typeof CALL_STATUSES)[number]>;
const everyStatusListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyStatusListed;

export function isCallStatus(value: string): value is CallStatus {
  return (CALL_STATUSES as readonly string[]).includes(value);
}

/** The reason a status filter is refused, or undefined when it is one of CALL_STATUSES. */
export function unknownStatus(value: string): string | undefined {
  return isCallStatus(value) ? undefined : `unknown status "${value}": one of ${CALL_STATUSES.join(", ")}`;
}
