import type { AgiChannel } from "../agi/channel.ts";
import { AgiCommandError, AgiHangupError } from "../agi/errors.ts";
import type { AgiHandler } from "../agi/handler.ts";
import { recordKey } from "../history/record.ts";
import type { NewCallRow } from "../history/schema.ts";
import { classifyDial, classifyQueue, QUEUE_VARIABLES, type RouteOutcome } from "../ivr/outcome.ts";
import type { Logger } from "../log.ts";
import { customerChannel, extensionChannel } from "./action.ts";
import { CALL_ID } from "./ids.ts";
import { readVariables } from "../ivr/run.ts";
import { menuOf, type MenuResult, runOutboundMenu } from "./menu.ts";
import type { Outbound } from "./settings.ts";
import type { Dial } from "./types.ts";

/** What the outbound script needs from ivr serve (or from ivr simulate, which fakes it). */
export interface OutboundCalls {
  dialOf(callId: string): Dial | undefined;
  outbound(): Outbound | undefined;
  /** The first leg answered: the script runs. */
  answered(callId: string): void;
  pressed(dial: Dial, callId: string, key: string, action: string): void;
  event(dial: Dial, name: string, key: string): void;
  optOut(dial: Dial, key: string): void;
  /** The script is done: the keys pressed, for the dial's row. */
  finished(dial: Dial, callId: string, keys: string[]): void;
  /** The call's history record (merged with AMI's record of the same call). */
  record(row: NewCallRow): void;
  clock?: () => number;
}

interface Handled {
  outcome: RouteOutcome;
  route?: { kind: "queue" | "extension"; to: string };
  keys: string[];
}

/**
 * agi://host/outbound: where the generated context sends every call ivr originated, once
 * its first leg answered (the context passes ${IVR_CALL}, the call id, as the argument).
 * Click-to-call: the manager answered; dial the customer. Callback: the customer answered;
 * Queue or Dial the extension. Message: the customer answered; the campaign's menu.
 * A call that is not one of ours is refused (AGISTATUS=FAILURE).
 */
export function outboundScript(calls: OutboundCalls): AgiHandler {
  return async (channel, log) => {
    const clock = calls.clock ?? Date.now;
    const callId = channel.env.args[0] || channel.env.uniqueid;
    const dial = CALL_ID.test(callId) ? calls.dialOf(callId) : undefined;
    const outbound = calls.outbound();
    if (!dial || !outbound) {
      log.warn(`outbound: ${dial ? "outbound: is not configured" : `no outbound call ${JSON.stringify(callId.slice(0, 40))}`}: refused`);
      return channel.fail("not an outbound call of ivr");
    }
    calls.answered(callId);
    const startedAt = clock();
    let handled: Handled = { outcome: { status: "failed", detail: "the outbound script did not finish" }, keys: [] };
    try {
      await channel.verbose(`ivr outbound ${dial.kind} ${dial.id}: ${dial.number}`);
      handled = await handle(channel, dial, outbound, calls, callId, log);
    } catch (error) {
      if (error instanceof AgiHangupError) handled = { ...handled, outcome: { status: dial.kind === "click-to-call" ? "hungup_in_menu" : "answered", detail: error.reason } };
      else if (error instanceof AgiCommandError) handled = { ...handled, outcome: { status: "failed", detail: error.message } };
      else throw error;
    }
    channel.close();
    calls.finished(dial, callId, handled.keys);
    log.info(`outbound ${dial.id}: ${handled.outcome.status}${handled.route ? `, ${handled.route.kind} ${handled.route.to}` : ""}${handled.keys.length ? `, keys ${JSON.stringify(handled.keys)}` : ""}`);
    calls.record(outboundCallRow(channel.env.uniqueid, dial, handled, startedAt, clock()));
  };
}

async function handle(channel: AgiChannel, dial: Dial, outbound: Outbound, calls: OutboundCalls, callId: string, log: Logger): Promise<Handled> {
  const dialOptions = outbound.settings.dial_options ?? "";
  const timeout = String(outbound.ringTimeoutSeconds);
  if (dial.kind === "click-to-call") {
    const target = customerChannel(outbound, dial.trunk, dial.number);
    if (!target) return { outcome: { status: "failed", detail: `trunk ${dial.trunk} is not configured` }, keys: [] };
    const callerId = outbound.trunk(dial.trunk)?.caller_id;
    // The customer sees the company's number, not the manager's extension.
    if (callerId) await channel.setVariable("CALLERID(num)", callerId);
    return { outcome: await dialed(channel, target, timeout, dialOptions), keys: [] };
  }
  if (dial.kind === "callback") {
    if (dial.queue) {
      const started = Date.now();
      await channel.exec("Queue", dial.queue);
      const outcome = classifyQueue(await readVariables(channel, QUEUE_VARIABLES), (Date.now() - started) / 1000, channel.hungUp);
      return { outcome, route: { kind: "queue", to: dial.queue }, keys: [] };
    }
    const extension = dial.extension ?? "";
    return { outcome: await dialed(channel, extensionChannel(outbound, extension), timeout, dialOptions), route: { kind: "extension", to: extension }, keys: [] };
  }
  const campaign = dial.menu ? outbound.campaign(dial.menu) : undefined;
  if (!campaign) return { outcome: { status: "failed", detail: `campaign ${dial.menu} is not configured` }, keys: [] };
  const result: MenuResult = await runOutboundMenu(
    channel,
    menuOf(campaign),
    {
      pressed: (key, action) => calls.pressed(dial, callId, key, action),
      event: (name, key) => calls.event(dial, name, key),
      optOut: (key) => calls.optOut(dial, key),
    },
    { extensionChannel: (ext) => extensionChannel(outbound, ext), timeoutSeconds: outbound.ringTimeoutSeconds, options: dialOptions },
    log,
  );
  const transfer = result.transfer;
  return {
    outcome: transfer ? transfer.outcome : { status: "answered", detail: result.chosen ? `key ${result.chosen.key}` : "no choice" },
    route: transfer ? { kind: transfer.kind, to: transfer.target } : undefined,
    keys: result.keys,
  };
}

async function dialed(channel: AgiChannel, target: string, timeout: string, options: string): Promise<RouteOutcome> {
  const started = Date.now();
  await channel.exec("Dial", target, timeout, ...(options ? [options] : []));
  const vars = await readVariables(channel, ["DIALSTATUS", "DIALEDPEERNUMBER"]);
  return classifyDial(vars, { upAtDialMs: undefined, spanMs: Date.now() - started });
}

/**
 * The script's record of the call, as the IVR writes its own (source ivr): AMI's record of
 * the same call (the channel's uniqueid is one of its channels) merges into it, adding the
 * legs and times; the keys pressed and the route stay.
 */
export function outboundCallRow(uniqueid: string, dial: Dial, handled: Handled, startedAt: number, endedAt: number): NewCallRow {
  const { outcome, route } = handled;
  return {
    uniqueid,
    linkedid: null,
    source: "ivr",
    direction: "outbound",
    startedAt,
    endedAt,
    externalNumber: dial.number,
    externalNumberRaw: dial.numberRaw ?? dial.number,
    digits: handled.keys.join(","),
    routeKind: route?.kind ?? null,
    destination: route?.to ?? null,
    status: outcome.status,
    answeredBy: outcome.answeredBy ?? null,
    waitSeconds: outcome.waitSeconds ?? null,
    talkSeconds: outcome.talkSeconds ?? null,
    detail: [`outbound ${dial.kind} ${dial.id}`, dial.menu ? `campaign ${dial.menu}` : "", outcome.detail ?? ""].filter(Boolean).join("; "),
    recordKey: recordKey(uniqueid, startedAt),
  };
}
