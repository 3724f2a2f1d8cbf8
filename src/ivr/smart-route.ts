import type { AgiChannel } from "../agi/channel.ts";
import { AgiArgumentError } from "../agi/errors.ts";
import type { Logger } from "../log.ts";

/** What the IVR needs of Smart Redirect: a decision for a caller on a line, or undefined for no such enterprise. */
export type SmartRouter = (
  enterprise: string,
  request: { phone: string; line: string },
  uniqueid: string,
) => Promise<{ name: string | null; dialPlan: string | null; outcome: string; reason: string } | undefined>;

/**
 * Before the menu, for a DID with `smart: <enterprise>`: the caller's name goes into
 * CALLERID(name) whenever one is known, and a caller with a manager is sent to the
 * manager's context (SET CONTEXT / EXTENSION / PRIORITY: the dialplan continues there when
 * the AGI ends; the context's extension is the line, here the DID). Returns the context,
 * or undefined when the normal menu should play (unknown caller, no decision in time).
 */
export async function smartPreRoute(
  channel: AgiChannel,
  enterprise: string,
  did: string,
  caller: string | undefined,
  router: SmartRouter,
  log: Logger,
): Promise<{ context: string; reason: string } | undefined> {
  if (!caller) {
    log.info("smart: no caller number; the menu");
    return undefined;
  }
  const decision = await router(enterprise, { phone: caller, line: did }, channel.env.uniqueid);
  if (!decision) {
    log.error(`smart: DID ${did} names enterprise "${enterprise}", which is not under smart.enterprises; the menu`);
    return undefined;
  }
  if (decision.name) await setCallerName(channel, decision.name, log);
  if (!decision.dialPlan) {
    log.info(`smart: ${decision.outcome} (${decision.reason}); the menu`);
    return undefined;
  }
  await channel.setContext(decision.dialPlan);
  await channel.setExtension(did);
  await channel.setPriority(1);
  return { context: decision.dialPlan, reason: decision.reason };
}

/** CALLERID(name) from a decision; a name Asterisk cannot take (a line break) is logged, not fatal. */
export async function setCallerName(channel: AgiChannel, name: string, log: Logger): Promise<void> {
  try {
    await channel.setVariable("CALLERID(name)", name);
  } catch (error) {
    if (!(error instanceof AgiArgumentError)) throw error;
    log.warn(`smart: the name for this caller cannot be sent to Asterisk: ${error.message}`);
  }
}
