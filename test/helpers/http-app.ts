import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfigFile } from "../../src/config/load.ts";
import type { IvrConfig } from "../../src/config/schema.ts";
import type { ConfigSnapshot } from "../../src/config/store.ts";
import { type History, openHistory } from "../../src/history/db.ts";
import { WriteQueue } from "../../src/history/write-queue.ts";
import { createApp } from "../../src/http/app.ts";
import { createMetrics } from "../../src/http/metrics.ts";
import type { SmartSources } from "../../src/smart/decide.ts";
import { DecisionLog } from "../../src/smart/decision-log.ts";
import { historySources } from "../../src/smart/history-sources.ts";
import { SmartService } from "../../src/smart/service.ts";
import type { Integrations } from "../../src/integrations/service.ts";
import type { OutboundService } from "../../src/originate/service.ts";
import type { CallTracking } from "../../src/tracking/service.ts";
import { captureLog } from "./capture-log.ts";

export const SMART_CONFIG = join(import.meta.dir, "..", "fixtures", "smart", "config.yaml");
export const TOKEN = "test-token-0367-0123456789abcdef";
export const ADMIN = "admin-token-0123456789abcdef";
export const ENV = { SMART_TOKEN_0367: TOKEN, IVR_TEST_ADMIN_TOKEN: ADMIN };

/**
 * The HTTP app built from real parts: the fixture config, a SQLite history in a temporary
 * directory, the write queue and the decision log. `peer` is the client address the app
 * sees (Bun's socket peer in production).
 */
export function testApp(
  options: { config?: IvrConfig; env?: Record<string, string>; sources?: SmartSources; tracking?: CallTracking; history?: History; integrations?: Integrations; outbound?: OutboundService } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "ivr-http-"));
  const history = options.history ?? openHistory(join(dir, "ivr.sqlite"));
  const { log, text } = captureLog();
  const queue = new WriteQueue(history, log);
  const decisionLogFile = join(dir, "smart-decisions.jsonl");
  let snapshot: ConfigSnapshot = { config: options.config ?? loadConfigFile(SMART_CONFIG).config, path: SMART_CONFIG, generation: 1, loadedAt: new Date() };
  const env = options.env ?? ENV;
  const smart = new SmartService({
    snapshot: () => snapshot,
    sources: options.sources ?? historySources(history),
    decisionLog: new DecisionLog((row) => queue.decision(row), () => decisionLogFile, log),
    log,
    env,
  });
  const metrics = createMetrics({ fastagiSessions: () => 3 });
  const state = { peer: "127.0.0.1" };
  const app = createApp({
    snapshot: () => snapshot,
    smart,
    history,
    metrics,
    clientIp: () => state.peer,
    log,
    version: "test",
    startedAt: Date.now(),
    env,
    fastagiSessions: () => 3,
    tracking: options.tracking,
    integrations: options.integrations,
    outbound: options.outbound,
  });
  return {
    app,
    history,
    queue,
    metrics,
    decisionLogFile,
    log: text,
    /** Where the next requests come from. */
    from: (peer: string) => void (state.peer = peer),
    /** A config reload. */
    reload: (config: IvrConfig) => void (snapshot = { ...snapshot, config, generation: snapshot.generation + 1 }),
  };
}

/** The getcustomerdata macro's request, byte for byte as it builds it. */
export function macroRequest(phone: string, trunk = "0001363", token: string | null = TOKEN, uniqueId = "1795264116.3") {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token !== null) headers.Token = token;
  return {
    method: "POST",
    headers,
    body: `{"UniqueId":"${uniqueId}","Phone":"${phone}","TrunkId":"${trunk}","LoadDialPlan":"true"}`,
  };
}

export const admin = (init: RequestInit = {}): RequestInit => ({ ...init, headers: { ...(init.headers as Record<string, string>), Authorization: `Bearer ${ADMIN}` } });
