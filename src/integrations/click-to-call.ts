import type { Placed } from "../originate/place.ts";
import type { Caller } from "../originate/request.ts";

/**
 * Click-to-call from a CRM (Bitrix24's OnExternalCallStart, RetailCRM's makeCallUrl): the
 * manager's phone is rung, then the customer. The call is placed by outbound calls (the
 * outbound: section, what POST /api/originate queues): ivr serve wires it with
 * setOriginator(outboundOriginator(...)). Without them every request is refused with the
 * reason below, and the CRM is told.
 */
export interface OriginateRequest {
  /** The manager's extension: rung first. */
  extension: string;
  /** The customer's number, as the CRM gave it. */
  phone: string;
  source: "bitrix24" | "retailcrm";
  /** The CRM's own id for the call (Bitrix24's CALL_ID), to register the call under. */
  crmCallId?: string;
}

/** A refusal's `status` is the HTTP status the CRM is answered with: the origination API's (400 a bad number, 409 do-not-call, 429 over a limit...), 501 when there are no outbound calls. */
export type OriginateResult = { ok: true; id?: string } | { ok: false; reason: string; status?: 400 | 403 | 409 | 429 | 501 | 503 };

export type Originator = (request: OriginateRequest) => Promise<OriginateResult>;

export const NO_ORIGINATION = "click-to-call needs outbound calls: add an outbound: section (and an ami: section) to the config of ivr serve";

export const refuseOrigination: Originator = async () => ({ ok: false, reason: NO_ORIGINATION, status: 501 });

/**
 * Click-to-call through outbound calls: a click-to-call dial (the extension first, then the
 * customer's number), its client the CRM it came from, the CRM's call id in its data. The
 * same checks as POST /api/originate (number rules, do-not-call, the trunk's limits).
 */
export function outboundOriginator(place: (body: unknown, caller: Caller) => Placed): Originator {
  return async (request) => {
    const data = request.crmCallId ? { crm_call_id: request.crmCallId } : undefined;
    const placed = place({ kind: "click-to-call", extension: request.extension, to: request.phone, data }, { client: request.source, kinds: ["click-to-call"] });
    return "error" in placed ? { ok: false, reason: placed.error, status: placed.status } : { ok: true, id: placed.dial.id };
  };
}
