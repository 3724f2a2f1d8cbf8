import { join } from "node:path";
import { runHandler } from "../../src/agi/handler.ts";
import { loadConfigFile } from "../../src/config/load.ts";
import type { IvrConfig } from "../../src/config/schema.ts";
import { type CallSink, ivrHandler } from "../../src/ivr/handler.ts";
import type { SmartRouter } from "../../src/ivr/smart-route.ts";
import type { IvrCall } from "../../src/ivr/run.ts";
import { captureLog } from "./capture-log.ts";
import { playAsterisk, type Played } from "./fake-asterisk.ts";
import { tcpSessionPair } from "./tcp-session.ts";
import type { Transcript } from "./transcript.ts";

export const IVR_FIXTURES = join(import.meta.dir, "..", "fixtures", "ivr");
export const IVR_CONFIG = join(IVR_FIXTURES, "config.yaml");

export function ivrTestConfig(): IvrConfig {
  return loadConfigFile(IVR_CONFIG).config;
}

/**
 * Runs the IVR handler on one end of a real TCP connection while the fake Asterisk plays the
 * transcript; `sink` gets the finished call as production code would (after the session closed).
 */
export async function replayIvr(transcript: Transcript, config: IvrConfig = ivrTestConfig(), sink?: CallSink, smart?: SmartRouter) {
  const pair = await tcpSessionPair();
  const { log, text } = captureLog();
  let call: IvrCall | undefined;
  try {
    const handler = ivrHandler(
      () => ({ config, path: IVR_CONFIG }),
      async (finished, loaded, log) => {
        call = finished;
        await sink?.(finished, loaded, log);
      },
      smart && (() => smart),
    );
    const [played, outcome] = await Promise.all([playAsterisk(transcript, pair.asterisk), runHandler(pair.session, () => handler, log)]);
    return { call: call as IvrCall | undefined, played: played as Played, outcome, log: text() };
  } finally {
    pair.dispose();
  }
}
