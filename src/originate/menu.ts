import type { AgiChannel } from "../agi/channel.ts";
import { AgiCommandError, AgiHangupError } from "../agi/errors.ts";
import type { CampaignSettings, KeyAction } from "../config/outbound-schema.ts";
import { classifyDial, classifyQueue, QUEUE_VARIABLES, type RouteOutcome } from "../ivr/outcome.ts";
import { readVariables } from "../ivr/run.ts";
import type { Logger } from "../log.ts";
import { DEFAULTS } from "./settings.ts";

/** A campaign's menu with its defaults filled in. */
export interface OutboundMenu {
  sound: string;
  actions: Readonly<Record<string, KeyAction>>;
  invalidSound: string | undefined;
  goodbyeSound: string | undefined;
  maxAttempts: number;
  inputTimeoutMs: number;
}

export function menuOf(campaign: CampaignSettings): OutboundMenu {
  return {
    sound: campaign.sound,
    actions: campaign.actions ?? {},
    invalidSound: campaign.invalid_sound,
    goodbyeSound: campaign.goodbye_sound,
    maxAttempts: campaign.max_attempts ?? DEFAULTS.menuAttempts,
    inputTimeoutMs: Math.round((campaign.input_timeout_seconds ?? DEFAULTS.inputTimeoutSeconds) * 1000),
  };
}

/** What the menu does outside the call: record each key, raise events, opt numbers out. */
export interface MenuEffects {
  /** Every key pressed (key "" for a timeout) and what it did: an action name, `invalid` or `timeout`. */
  pressed(key: string, action: string): void;
  event(name: string, key: string): void;
  optOut(key: string): void;
}

/** How a transfer reaches an extension (the outbound section's extension_dial, timeout and options). */
export interface TransferDial {
  extensionChannel(extension: string): string;
  timeoutSeconds: number;
  options: string;
}

export interface MenuResult {
  keys: string[];
  /** The key that did something, and what. */
  chosen?: { key: string; action: KeyAction };
  transfer?: { kind: "queue" | "extension"; target: string; outcome: RouteOutcome };
  /** The customer hung up during the menu. */
  hungUp: boolean;
}

/** Every key interrupts the message: an unmapped one is answered with the invalid sound, not ignored. */
const ALL_KEYS = "0123456789*#";

/** The name a key's action is counted under: its event, else opt_out, transfer or hangup. */
export function actionName(action: KeyAction): string {
  return action.event ?? (action.opt_out ? "opt_out" : action.transfer ? "transfer" : "hangup");
}

/**
 * The outbound menu of a campaign, over the same AGI channel as the IVR: the message with
 * barge-in, a key within the input timeout, an unmapped key answered with the invalid sound,
 * the message again up to max_attempts, then the goodbye. A mapped key plays its sound, then
 * raises its event, opts the number out (at once), transfers (Queue or Dial) or hangs up.
 */
export async function runOutboundMenu(channel: AgiChannel, menu: OutboundMenu, effects: MenuEffects, transfer: TransferDial, log: Logger): Promise<MenuResult> {
  const result: MenuResult = { keys: [], hungUp: false };
  try {
    for (let attempt = 1; attempt <= menu.maxAttempts; attempt++) {
      const playback = await channel.streamFile(menu.sound, ALL_KEYS);
      if (!playback.played && playback.endpos === 0) log.warn(`could not play "${menu.sound}": is the sound file installed?`);
      const key = playback.digit ?? (await channel.waitForDigit(menu.inputTimeoutMs));
      if (key === null) {
        result.keys.push("");
        effects.pressed("", "timeout");
        await channel.verbose(`Outbound menu: no key (attempt ${attempt} of ${menu.maxAttempts})`);
        continue;
      }
      result.keys.push(key);
      const action = Object.hasOwn(menu.actions, key) ? menu.actions[key] : undefined;
      if (!action) {
        effects.pressed(key, "invalid");
        await channel.verbose(`Outbound menu: invalid key ${key} (attempt ${attempt} of ${menu.maxAttempts})`);
        if (menu.invalidSound) await channel.streamFile(menu.invalidSound);
        continue;
      }
      const name = actionName(action);
      effects.pressed(key, name);
      result.chosen = { key, action };
      await channel.verbose(`Outbound menu: key ${key}: ${name}`);
      // Recorded before anything that needs the customer on the line: a hangup during the
      // confirmation must not lose the opt-out or the donation request.
      if (action.event) effects.event(action.event, key);
      if (action.opt_out) effects.optOut(key);
      if (action.sound) await channel.streamFile(action.sound);
      if (action.transfer) result.transfer = await transferTo(channel, action.transfer, transfer);
      return result;
    }
    if (menu.goodbyeSound) await channel.streamFile(menu.goodbyeSound);
  } catch (error) {
    if (!(error instanceof AgiHangupError)) throw error;
    result.hungUp = true;
  }
  return result;
}

async function transferTo(channel: AgiChannel, target: string, dial: TransferDial): Promise<MenuResult["transfer"]> {
  const [kind, name] = target.trim().split(/\s+/) as ["queue" | "extension", string];
  const started = Date.now();
  try {
    if (kind === "queue") {
      await channel.exec("Queue", name);
      return { kind, target: name, outcome: classifyQueue(await readVariables(channel, QUEUE_VARIABLES), (Date.now() - started) / 1000, channel.hungUp) };
    }
    const args = [dial.extensionChannel(name), String(dial.timeoutSeconds), ...(dial.options ? [dial.options] : [])];
    await channel.exec("Dial", ...args);
    const vars = await readVariables(channel, ["DIALSTATUS", "DIALEDPEERNUMBER"]);
    return { kind, target: name, outcome: classifyDial(vars, { upAtDialMs: undefined, spanMs: Date.now() - started }) };
  } catch (error) {
    if (error instanceof AgiCommandError) return { kind, target: name, outcome: { status: "failed", detail: error.message } };
    throw error;
  }
}
