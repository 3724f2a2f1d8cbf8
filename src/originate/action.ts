import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { ActionFields } from "../ami/message.ts";
import { fillNumber } from "./numbers.ts";
import type { Outbound } from "./settings.ts";
import { CALL_VARIABLE, type Dial, otherChannelId } from "./types.ts";

/** A number stored in E.164, with its national form for trunks that dial {national}. */
export function numberForms(e164: string): { e164: string; national: string } {
  const national = parsePhoneNumberFromString(e164)?.formatNational().replace(/\D/g, "") ?? e164.slice(1);
  return { e164, national };
}

/** The channel that reaches the customer through a trunk. */
export function customerChannel(outbound: Outbound, trunk: string, e164: string): string | undefined {
  const settings = outbound.trunk(trunk);
  return settings ? fillNumber(settings.dial, numberForms(e164)) : undefined;
}

export function extensionChannel(outbound: Outbound, extension: string): string {
  return outbound.extensionDial.replaceAll("{ext}", extension);
}

/**
 * The Originate for one attempt. It always lands in the generated context (Context/Exten/
 * Priority), never in an application: manager.c refuses Originate with an Application such
 * as AGI, System or Exec (or Data with SHELL/EVAL) unless the user has write=system, while
 * a context needs only write=originate. Async, so Asterisk answers at once and reports with
 * OriginateResponse; ChannelId/OtherChannelId preset the uniqueids (the Local ;2 half gets
 * the other), so the tracker knows the call as ours from its first event.
 * Click-to-call rings the manager's extension first; the others ring the customer.
 */
export function originateAction(dial: Dial, outbound: Outbound, callerId?: string): { fields: ActionFields } | { error: string } {
  const callId = dial.callId ?? dial.id;
  let channel: string | undefined;
  let shownId: string | undefined;
  if (dial.kind === "click-to-call") {
    channel = extensionChannel(outbound, dial.extension ?? "");
    // The manager's phone shows whom it is about to call.
    shownId = `"${dial.number}" <${dial.number}>`;
  } else {
    channel = customerChannel(outbound, dial.trunk, dial.number);
    if (!channel) return { error: `trunk "${dial.trunk}" is not configured (outbound.trunks)` };
    const number = callerId ?? outbound.trunk(dial.trunk)?.caller_id;
    shownId = number ? `<${number.replace(/[<>"]/g, "")}>` : undefined;
  }
  const fields: ActionFields = {
    Action: "Originate",
    Channel: channel,
    Context: outbound.context,
    Exten: "s",
    Priority: 1,
    Timeout: outbound.ringTimeoutSeconds * 1000,
    CallerID: shownId,
    Async: "true",
    ChannelId: callId,
    OtherChannelId: otherChannelId(callId),
    Variable: [`${CALL_VARIABLE}=${callId}`],
  };
  if (needsSystem(fields)) return { error: "this Originate would need write=system: refused" };
  return { fields };
}

/**
 * Whether Asterisk would require write=system for this Originate (manager.c, action_originate):
 * an Application naming System, Exec, AGI, MixMonitor, ExternalIVR or Originate, or Data
 * containing SHELL or EVAL. Context/Exten originates never do.
 */
export function needsSystem(fields: ActionFields): boolean {
  const app = String(fields.Application ?? "");
  if (!app) return false;
  const data = String(fields.Data ?? "");
  return /system|exec|agi|mixmonitor|externalivr|originate/i.test(app) || data.includes("SHELL") || data.includes("EVAL");
}
