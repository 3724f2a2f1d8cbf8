import { CALL_STATUSES, type CallStatus } from "../ivr/outcome.ts";

/**
 * The statuses a call record can have (defined with the outcomes in ivr/outcome.ts). `ivr
 * calls --status` and `GET /api/calls?status=` accept exactly these, so both refuse a typo
 * the same way instead of answering "no calls".
 */
export { CALL_STATUSES };

export function isCallStatus(value: string): value is CallStatus {
  return (CALL_STATUSES as readonly string[]).includes(value);
}

/** The reason a status filter is refused, or undefined when it is one of CALL_STATUSES. */
export function unknownStatus(value: string): string | undefined {
  return isCallStatus(value) ? undefined : `unknown status "${value}": one of ${CALL_STATUSES.join(", ")}`;
}
