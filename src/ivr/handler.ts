import type { AgiHandler } from "../agi/handler.ts";
import type { LoadedConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { HoursSource } from "../schedules/hours.ts";
import { type IvrCall, runIvr } from "./run.ts";
import type { SmartRouter } from "./smart-route.ts";

/** Where a call gets its config: the per-call loader, or the server's current snapshot. */
export type ConfigSource = (log: Logger) => LoadedConfig | Promise<LoadedConfig>;

/** What happens to a finished call (recording it), after Asterisk has the channel back. */
export type CallSink = (call: IvrCall, loaded: LoadedConfig, log: Logger) => void | Promise<void>;

/**
 * The IVR as an AGI handler: one config snapshot per call; when the menu is done, the AGI
 * session is closed first (the dialplan goes on at once), then the call is summarized and
 * handed to `onCall`.
 */
export function ivrHandler(
  configSource: ConfigSource,
  onCall?: CallSink,
  smart?: (loaded: LoadedConfig, log: Logger) => SmartRouter | undefined,
  options: { clock?: () => number; hours?: (loaded: LoadedConfig, log: Logger) => HoursSource } = {},
): AgiHandler {
  return async (channel, log) => {
    const loaded = await configSource(log);
    const call = await runIvr(channel, loaded.config, log, { smart: smart?.(loaded, log), clock: options.clock, hours: options.hours?.(loaded, log) });
    channel.close();
    log.info(describeCall(call));
    await onCall?.(call, loaded, log);
  };
}

export function describeCall(call: IvrCall): string {
  const { outcome, route } = call;
  const where = !route
    ? "no route"
    : route.kind === "queue"
      ? `queue ${route.queue}`
      : route.kind === "extension"
        ? `extension ${route.extension} (${route.target})`
        : route.kind === "voicemail"
          ? `voicemail ${route.mailbox}`
          : `Smart Redirect to ${route.context}`;
  const parts = [`Call finished: ${outcome.status}`, where];
  if (outcome.answeredBy) parts.push(`answered by ${outcome.answeredBy}`);
  if (outcome.talkSeconds !== undefined) parts.push(`talk ${outcome.talkSeconds} s`);
  if (outcome.waitSeconds !== undefined) parts.push(`wait ${outcome.waitSeconds} s`);
  if (outcome.detail) parts.push(outcome.detail);
  parts.push(`input ${JSON.stringify(call.inputs)}`);
  return parts.join(", ");
}
