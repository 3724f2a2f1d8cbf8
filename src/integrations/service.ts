import type { IvrConfig } from "../config/schema.ts";
import type { History } from "../history/db.ts";
import { isBusyError } from "../history/db.ts";
import type { Logger } from "../log.ts";
import { DEFAULT_RETRY_WINDOW_MS } from "../outbox/backoff.ts";
import { OutboxRecorder } from "../outbox/recorder.ts";
import { OutboxStore } from "../outbox/store.ts";
import { OutboxWorker } from "../outbox/worker.ts";
import type { LiveEvent } from "../tracking/live.ts";
import type { CallOutbox } from "../tracking/store.ts";
import { usersByExtension } from "../tracking/users.ts";
import { endedCallToOutbox, liveEventToOutbox } from "./call-events.ts";
import { CrmLookups } from "./crm-lookup.ts";
import { CrmInstances } from "./crms.ts";
import { type OriginateResult, type Originator, refuseOrigination } from "./click-to-call.ts";
import { HistoryTap } from "./history-tap.ts";
import { outboxHealth, outboxMetrics } from "./status.ts";
import { TargetRegistry } from "./targets.ts";
import { outboundOutbox } from "./webhooks/outbound.ts";

export interface IntegrationsOptions {
  history: History;
  config: () => IvrConfig;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  clock?: () => number;
  /** How often the history's new rows are looked at (ivr.input, smart.decision) and other upkeep runs. */
  upkeepMs?: number;
}

const HOLD_BACK_EVERY_MS = 60_000;
const PRUNE_EVERY_MS = 3_600_000;
const DEFAULT_KEEP_DAYS = 7;

/**
 * Everything that leaves ivr serve: webhooks and CRM sync through one outbox. The tracker
 * hands over its changes (`tracking`), the history's IVR calls and Smart decisions are read
 * as they are written, the worker delivers. Starts and stops with ivr serve.
 */
export function startIntegrations(options: IntegrationsOptions) {
  const { history, log } = options;
  const clock = options.clock ?? Date.now;
  const settings = () => options.config().integrations;
  const crms = new CrmInstances(settings, history, log, options.env);
  const registry = new TargetRegistry(settings, (s) => crms.targets(s), (m) => log.warn(m), options.env);
  const lookups = new CrmLookups(() => crms.finders(), clock);
  const store = new OutboxStore(history);
  const worker = new OutboxWorker({
    store,
    targets: () => registry.current(),
    log,
    clock,
    retryWindowMs: () => (settings()?.outbox?.retry_hours !== undefined ? settings()!.outbox!.retry_hours! * 3_600_000 : DEFAULT_RETRY_WINDOW_MS),
  });
  const recorder = new OutboxRecorder({ store, routing: () => registry.routing(), log, clock, onStored: () => worker.kick() });
  const tap = new HistoryTap(history, store, (event) => recorder.storeNow(event));
  const userFor = usersByExtension(options.config);

  /** The tracker's side: live changes wait in the recorder; an ended call's events go in its own transaction. */
  const tracking: CallOutbox & { onLiveEvent(event: LiveEvent): void } = {
    onLiveEvent: (event) => {
      if (event.type === "call.ended") recorder.reserve(event.call.id);
      else recorder.publish(liveEventToOutbox(event, options.config, userFor));
    },
    withCall: (call, id) => recorder.writeWithCall(call.id, [endedCallToOutbox(call, id, options.config(), userFor)]),
    written: (call, stored) => recorder.committed(call.id, stored),
  };

  let originate: Originator = refuseOrigination;

  /**
   * A CRM asks for a call (click-to-call): the manager's extension (Bitrix24 names its
   * user), then the originator. A refusal is logged, and Bitrix24's call card is finished
   * with the reason (through the outbox, like everything sent to it).
   */
  async function clickToCall(request: { source: "bitrix24" | "retailcrm"; phone: string; extension?: string; userId?: string; crmCallId?: string }): Promise<OriginateResult> {
    let result: OriginateResult;
    const extension = request.extension ?? (request.userId ? await crms.bitrix24Extension(request.userId).catch(() => undefined) : undefined);
    if (!extension) result = { ok: false, reason: `${request.source} user ${request.userId ?? "?"} has no internal number (UF_PHONE_INNER) to ring first` };
    else result = await originate({ extension, phone: request.phone, source: request.source, crmCallId: request.crmCallId }).catch((error: Error) => ({ ok: false as const, reason: error.message }));
    if (result.ok) return result;
    log.warn(`click-to-call from ${request.source} to ${request.phone} refused: ${result.reason}`);
    if (request.source === "bitrix24" && request.crmCallId && request.userId) {
      const refused = { type: "click_to_call.refused", key: request.crmCallId, at: clock(), data: () => ({ call_id: request.crmCallId, user_id: request.userId, reason: result.reason }) };
      try {
        if (history.sqlite.transaction(() => recorder.storeNow(refused))()) worker.kick();
      } catch (error) {
        log.error(`click-to-call: telling Bitrix24 failed: ${(error as Error).message}`);
      }
    }
    return result;
  }

  let lastHoldBack = clock();
  let lastPrune = 0;
  const upkeep = () => {
    recorder.flush();
    try {
      const tapped = tap.poll();
      if (tapped) {
        recorder.stored += tapped;
        worker.kick();
      }
      const now = clock();
      if (now - lastHoldBack >= HOLD_BACK_EVERY_MS) {
        lastHoldBack = now;
        store.holdBehindFailed();
      }
      if (now - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = now;
        const pruned = store.prune(now - (settings()?.outbox?.keep_days ?? DEFAULT_KEEP_DAYS) * 86_400_000);
        if (pruned) log.info(`outbox: forgot ${pruned} deliveries delivered more than ${settings()?.outbox?.keep_days ?? DEFAULT_KEEP_DAYS} days ago`);
      }
    } catch (error) {
      if (!isBusyError(error)) log.error(`outbox upkeep failed (will retry): ${(error as Error).message}`);
    }
  };
  const timer = setInterval(upkeep, options.upkeepMs ?? 1000);
  timer.unref?.();
  worker.start();

  return {
    store,
    /** The outbound events (originate.*, campaign.*) for the webhooks: ivr serve's dialer and campaigns write them. */
    outbound: outboundOutbox(history, recorder, () => registry.current()),
    recorder,
    worker,
    registry,
    tracking,
    /** Smart Redirect's crm source: the enterprise's CRMs in order, within a budget. */
    crm: lookups.lookup.bind(lookups),
    clickToCall,
    /** Wires click-to-call to outbound calls (ivr serve: outboundOriginator, when the config has an outbound: section). */
    setOriginator: (originator: Originator) => void (originate = originator),
    /** One round of upkeep now (tests). */
    upkeep,
    health: () => outboxHealth(store, worker, recorder, clock()),
    metrics: () => outboxMetrics(store, worker, recorder, clock()),
    retry: (id: number) => {
      const n = store.retry(id, clock());
      if (n) worker.kick();
      return n;
    },
    retryAll: (target?: string) => {
      const n = store.retryAll(clock(), target);
      if (n) worker.kick();
      return n;
    },
    async stop(graceMs = 1000) {
      clearInterval(timer);
      recorder.flush();
      await worker.stop(graceMs);
    },
  };
}

export type Integrations = ReturnType<typeof startIntegrations>;
