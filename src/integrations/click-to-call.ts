/**
 * Click-to-call from a CRM (Bitrix24's OnExternalCallStart, RetailCRM's makeCallUrl): the
 * manager's phone is rung, then the customer. The call itself is placed by the origination
 * API (POST /api/originate), built separately; ivr serve wires it with setOriginator. Until
 * then every request is refused with the reason below, and the CRM is told.
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

export type OriginateResult = { ok: true; id?: string } | { ok: false; reason: string };

export type Originator = (request: OriginateRequest) => Promise<OriginateResult>;

export const NO_ORIGINATION = "click-to-call needs the origination API (POST /api/originate), which this ivr serve does not have yet";

export const refuseOrigination: Originator = async () => ({ ok: false, reason: NO_ORIGINATION });
