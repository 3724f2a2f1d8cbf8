import { CHANNEL_UP } from "../agi/channel.ts";
import { knownValue } from "../agi/env.ts";
import { AgiHangupError } from "../agi/errors.ts";
import type { AgiHandler } from "../agi/handler.ts";

/**
 * A first handler for `ivr` and agi://host/ivr until the menu lands: answers, plays a
 * prompt with barge-in, waits for one digit and reports it. After a hangup it still reads
 * CALLERID(num), which a dead channel allows, the way the menu will read call outcomes.
 */
export const greeting: AgiHandler = async (channel, log) => {
  const { env } = channel;
  const did = env.args[0] || knownValue(env.extension) || knownValue(env.dnid) || "unknown";
  log.info(`Incoming call - DID: ${did}`);
  let pressed: string | null = null;
  try {
    if ((await channel.channelStatus()) !== CHANNEL_UP) await channel.answer();
    await channel.verbose(`ivr: call to ${did} from ${env.callerid}`);
    const playback = await channel.streamFile("demo-congrats", "0123456789*#");
    pressed = playback.digit ?? (await channel.waitForDigit(3000));
    await channel.verbose(pressed ? `ivr: caller pressed ${pressed}` : "ivr: nothing pressed");
  } catch (error) {
    if (!(error instanceof AgiHangupError)) throw error;
    await channel.verbose("ivr: caller hung up");
  }
  const caller = await channel.getVariable("CALLERID(num)");
  log.info(`call finished: caller=${caller ?? "unknown"} pressed=${pressed ?? "nothing"} hungup=${channel.hungUp}`);
};
