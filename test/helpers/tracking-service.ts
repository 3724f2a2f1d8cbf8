import type { AmiTiming } from "../../src/ami/timing.ts";
import type { AmiSettings } from "../../src/config/ami-schema.ts";
import type { IvrConfig } from "../../src/config/schema.ts";
import { listCalls } from "../../src/history/queries.ts";
import { startCallTracking } from "../../src/tracking/service.ts";
import { captureLog } from "./capture-log.ts";
import { FakeAmi } from "./fake-ami.ts";
import { tempHistory } from "./history.ts";
import { waitFor } from "./wait.ts";

/** Timings short enough for tests; the logic is the same as with the defaults. */
export const FAST: Partial<AmiTiming> = { pingIntervalMs: 100, pingTimeoutMs: 200, actionTimeoutMs: 500, retryInitialMs: 10, retryMaxMs: 50, fullyBootedTimeoutMs: 200 };

/**
 * The product's call tracking (client, queue, tracker, history writer, live feed) against a
 * fake Asterisk over real TCP and a real SQLite file, as ivr serve runs it.
 */
export function trackingAgainstFake(options: { fake?: FakeAmi; settings?: Partial<AmiSettings>; config?: IvrConfig; timing?: Partial<AmiTiming>; sliceMs?: number; heartbeatMs?: number } = {}) {
  const fake = (options.fake ?? new FakeAmi()).start();
  const history = tempHistory();
  const { log, text } = captureLog();
  const settings: AmiSettings = { host: "127.0.0.1", port: fake.port, username: "ivr", secret: "${AMI_TEST_SECRET}", trunk_pattern: "^(Local/\\d+@probe-|Local/10001@queue-in-|PJSIP/(provider|mtt)-)", ...options.settings };
  const config: IvrConfig = options.config ?? { country: "TH", ami: settings };
  const tracking = startCallTracking({
    settings,
    config: () => config,
    history,
    log,
    env: { AMI_TEST_SECRET: fake.secret },
    timing: { ...FAST, ...options.timing },
    sliceMs: options.sliceMs,
    heartbeatMs: options.heartbeatMs,
  });
  const stop = async () => {
    await tracking.stop();
    fake.stop();
    history.close();
  };
  return {
    fake,
    history,
    tracking,
    log: text,
    stop,
    ready: () => waitFor(() => tracking.health().last_resync !== null, "the first resync"),
    /** Waits until the history has `n` calls (the writer flushes every few ms). */
    calls: async (n: number, timeoutMs = 10_000) => {
      await waitFor(() => listCalls(history, { limit: 1000 }).length >= n, `${n} calls in the history`, timeoutMs);
      return listCalls(history, { limit: 1000 }).reverse();
    },
  };
}
