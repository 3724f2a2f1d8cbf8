import type { ClosedThen } from "../config/closed-schema.ts";
import type { Menu } from "../config/menu.ts";
import type { Logger } from "../log.ts";
import type { HoursSource } from "../schedules/hours.ts";
import type { Hours } from "../schedules/types.ts";

/**
 * The DID's schedule at the start of a call: its hours when closed, undefined when open. A
 * schedule that cannot be read (not in the config, a failing lookup) keeps the line open:
 * a call is never turned away because of our own fault. Logged either way.
 */
export async function closedHours(schedule: string, hours: HoursSource, at: number, log: Logger): Promise<Hours | undefined> {
  let found: Hours | undefined;
  try {
    found = await hours(schedule, at);
  } catch (error) {
    log.error(`schedule ${schedule}: not evaluated (${(error as Error).message}); the line stays open`);
    return undefined;
  }
  if (!found) {
    log.error(`schedule ${schedule} is not under schedules:; the line stays open`);
    return undefined;
  }
  log.info(`schedule ${schedule}: ${found.open ? "open" : "closed"} (${found.reason})`);
  return found.open ? undefined : found;
}

export interface ClosedAction {
  sound: string;
  then: ClosedThen;
  /** VoiceMail(mailbox[,options]). */
  voicemailArguments: string[];
}

/** What a closed line does, with closed:'s defaults filled in: goodbye_sound, then hang up. */
export function closedAction(menu: Menu): ClosedAction {
  const closed = menu.closed ?? {};
  const then = closed.then ?? { kind: "hangup" };
  const options = closed.voicemail_options ?? "";
  return {
    sound: closed.sound ?? menu.goodbye_sound,
    then,
    voicemailArguments: then.kind === "voicemail" ? [then.mailbox, ...(options ? [options] : [])] : [],
  };
}
