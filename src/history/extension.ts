/**
 * The internal extension inside what Asterisk says about who answered:
 *   DIALEDPEERNUMBER "101" (PJSIP/101), "101@internal/n" (Local/101@internal/n)
 *   MEMBERINTERFACE  "PJSIP/101", "Local/300@agents/n", "SIP/101-0000001a"
 * Undefined when there is no number in it (e.g. a trunk name).
 */
export function extensionOf(answeredBy: string | undefined): string | undefined {
  if (!answeredBy) return undefined;
  const afterTech = answeredBy.includes("/") && !/^\d/.test(answeredBy) ? answeredBy.slice(answeredBy.indexOf("/") + 1) : answeredBy;
  const head = /^[^@/;-]+/.exec(afterTech)?.[0] ?? "";
  return /^\d+$/.test(head) ? head : undefined;
}
