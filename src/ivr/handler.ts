import type { AgiHandler } from "../agi/handler.ts";
import type { IvrConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { type IvrCall, runIvr } from "./run.ts";

/** Where a call gets its config: the per-call loader, or the server's current snapshot. */
export type ConfigSource = (log: Logger) => IvrConfig | Promise<IvrConfig>;

/** The IVR as an AGI handler: one config snapshot per call, a summary line when it ends. */
export function ivrHandler(configSource: ConfigSource, onCall?: (call: IvrCall, log: Logger) => void | Promise<void>): AgiHandler {
  return async (channel, log) => {
    const config = await configSource(log);
    const call = await runIvr(channel, config, log);
    log.info(describeCall(call));
    await onCall?.(call, log);
  };
}

export function describeCall(call: IvrCall): string {
  const { outcome, route } = call;
  const where = route ? (route.kind === "queue" ? `queue ${route.queue}` : `extension ${route.extension} (${route.target})`) : "no route";
  const parts = [`Call finished: ${outcome.status}`, where];
  if (outcome.answeredBy) parts.push(`answered by ${outcome.answeredBy}`);
  if (outcome.talkSeconds !== undefined) parts.push(`talk ${outcome.talkSeconds} s`);
  if (outcome.waitSeconds !== undefined) parts.push(`wait ${outcome.waitSeconds} s`);
  if (outcome.detail) parts.push(outcome.detail);
  parts.push(`input ${JSON.stringify(call.inputs)}`);
  return parts.join(", ");
}
