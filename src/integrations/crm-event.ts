/**
 * What the CRM targets read of a stored event: its type and the call's fields (the webhook
 * body's `data`, see webhooks/schemas.ts). Both CRMs register calls with an outside party
 * only: internal calls are not the customer's.
 */
export interface CrmCall {
  id: string;
  uniqueid: string;
  linkedid: string;
  direction: "inbound" | "outbound" | "internal";
  status: string | null;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  external_number: string | null;
  external_number_raw: string | null;
  did: string | null;
  caller_extension: string | null;
  answered_extension: string | null;
  wait_seconds: number | null;
  talk_seconds: number | null;
  hangup_cause_text: string | null;
  legs?: Array<{ number: string | null; trunk: boolean; ring_at: string | null }>;
}

export interface CrmEvent {
  type: string;
  call: CrmCall;
  leg?: { number: string | null; trunk: boolean };
}

export function crmEvent(payload: string): CrmEvent {
  const { type, data } = JSON.parse(payload) as { type: string; data: { call: CrmCall; leg?: CrmEvent["leg"] } };
  return { type, call: data.call, leg: data.leg };
}

/** The customer's number as the CRM should see it: E.164 when known. */
export const customerNumber = (call: CrmCall) => call.external_number ?? call.external_number_raw ?? "";

/** An internal party ringing: an extension (not a trunk). */
export const ringingExtension = (event: { leg?: CrmEvent["leg"] }) => (event.leg && !event.leg.trunk && event.leg.number && /^\d+$/.test(event.leg.number) ? event.leg.number : undefined);

/**
 * Which of a call's events a CRM takes: calls with an outside party; for an outbound call
 * its start (the manager who dials is known), for an inbound one each phone that rings;
 * then the answer and the end.
 */
export function crmAccepts(type: string, data: Record<string, unknown>): boolean {
  const call = data.call as CrmCall | undefined;
  if (!call || call.direction === "internal" || !customerNumber(call)) return false;
  switch (type) {
    case "call.started":
      return call.direction === "outbound" && !!call.caller_extension;
    case "call.ringing":
      return call.direction === "inbound" && ringingExtension(data as { leg?: CrmEvent["leg"] }) !== undefined;
    case "call.answered":
    case "call.ended":
      return true;
    default:
      return false;
  }
}

/** The extensions that rang during a call (from its legs), in order. */
export function rungExtensions(call: CrmCall): string[] {
  const seen = new Set<string>();
  for (const leg of call.legs ?? []) if (!leg.trunk && leg.ring_at && leg.number && /^\d+$/.test(leg.number)) seen.add(leg.number);
  return [...seen];
}

/** A call's recording URL from a template: {uniqueid}, {linkedid}, {call_id}. */
export function recordingUrl(template: string | undefined, call: CrmCall): string | undefined {
  if (!template || call.status !== "answered") return undefined;
  return template.replace(/\{(uniqueid|linkedid|call_id)\}/g, (_, key: string) => encodeURIComponent(key === "call_id" ? call.id : key === "linkedid" ? call.linkedid : call.uniqueid));
}
