import type { Context } from "hono";
import type { ConfigSnapshot, ReloadAttempt } from "../config/store.ts";
import type { History } from "../history/db.ts";
import type { Integrations } from "../integrations/service.ts";
import type { HistoryWriteStatus } from "../history/write-health.ts";
import type { Logger } from "../log.ts";
import type { ScheduleService } from "../schedules/service.ts";
import type { OutboundService } from "../originate/service.ts";
import type { SmartService } from "../smart/service.ts";
import type { CallTracking } from "../tracking/service.ts";
import type { AppMetrics } from "./metrics.ts";

/** Everything the HTTP app needs, passed in: tests build it with real or fake parts. */
export interface AppDeps {
  snapshot: () => ConfigSnapshot;
  smart: SmartService;
  history: History;
  metrics: AppMetrics;
  /** The client's address (Bun's socket peer, or X-Forwarded-For behind a trusted proxy). */
  clientIp: (c: Context) => string | undefined;
  log: Logger;
  version: string;
  startedAt: number;
  env?: NodeJS.ProcessEnv;
  fastagiSessions?: () => number;
  /** AMI call tracking, when the config has an ami: section. */
  tracking?: CallTracking;
  /** Webhooks and CRM sync: the outbox (for /api/outbox, /health and /metrics). */
  integrations?: Integrations;
  /** The config's last reload that read the file, with its errors (the operator page). */
  configReload?: () => ReloadAttempt | undefined;
  /** Outbound calls and campaigns, when the config has an outbound: section. */
  outbound?: OutboundService;
  /** How ivr serve's history writes are going (for /health and /metrics). */
  historyWrites?: () => HistoryWriteStatus;
  /** Schedules and their overrides (ivr serve shares one with the IVR and Smart Redirect). */
  schedules?: ScheduleService;
}
