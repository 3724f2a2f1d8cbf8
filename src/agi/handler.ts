import { type Logger, peerText } from "../log.ts";
import { AgiChannel } from "./channel.ts";
import type { AgiEnv } from "./env.ts";
import { AgiError, AgiHangupError } from "./errors.ts";
import type { AgiSession } from "./session.ts";

/** What a script does with one call. The same handler runs over stdin and FastAGI. */
export type AgiHandler = (channel: AgiChannel, log: Logger) => Promise<void>;

export type HandlerOutcome = "done" | "hangup" | "error";

/**
 * Waits for the environment, runs the handler, and always ends the session: Asterisk keeps
 * the channel in the AGI until we close, so no path may leave it open. A hangup escaping
 * the handler is normal (the caller left); anything else is logged as an error.
 * `pick` chooses the handler from the environment (FastAGI routes by script name).
 */
export async function runHandler(
  session: AgiSession,
  pick: (env: AgiEnv) => AgiHandler,
  log: Logger,
): Promise<HandlerOutcome> {
  let env: AgiEnv;
  try {
    env = await session.ready;
  } catch (error) {
    log.warn(`no AGI environment: ${error instanceof Error ? error.message : String(error)}`);
    session.close();
    return "error";
  }
  const callLog = log.with(logPrefix(env.uniqueid));
  try {
    await pick(env)(new AgiChannel(session, env), callLog);
    return "done";
  } catch (error) {
    if (error instanceof AgiHangupError) {
      callLog.info(`call ended by hangup (${error.reason})`);
      return "hangup";
    }
    callLog.error(describe(error));
    return "error";
  } finally {
    session.close();
  }
}

/** The call's uniqueid (`1795264117.9`) as it is; anything else a peer sent, quoted and cut. */
function logPrefix(uniqueid: string): string {
  if (uniqueid === "") return "no-uniqueid";
  return /^[\w.-]{1,64}$/.test(uniqueid) ? uniqueid : peerText(uniqueid, 40);
}

function describe(error: unknown): string {
  if (error instanceof AgiError) return `${error.name}: ${error.message}`;
  if (error instanceof Error) return `handler failed: ${error.stack ?? error.message}`;
  return `handler failed: ${String(error)}`;
}
