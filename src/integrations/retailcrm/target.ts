import type { RetailCrmSettings } from "../../config/integrations-schema.ts";
import type { DeliveryContext, DeliveryItem, DeliveryResult, OutboxEvent, Target } from "../../outbox/types.ts";
import type { CrmCallState, CrmCallStore } from "../call-state.ts";
import { deliverCallEvents } from "../crm-delivery.ts";
import { type CrmCall, type CrmEvent, crmAccepts, crmEvent, customerNumber, recordingUrl, ringingExtension, rungExtensions } from "../crm-event.ts";
import { type RetailCrmClient, RetailCrmError } from "./client.ts";

/** /telephony/call/event hangupStatus, from the call's status. */
const HANGUP: Record<string, string> = { answered: "answered", busy: "busy", no_answer: "no answered", abandoned: "cancel", unavailable: "failed", failed: "failed" };
/** /telephony/calls/upload result, from the call's status. */
const RESULT: Record<string, string> = { answered: "answered", busy: "busy", no_answer: "no answer", abandoned: "no answer", unavailable: "failed", failed: "failed" };

/** "2026-11-21 12:00:00": RetailCRM's date-time (Y-m-d H:i:s), in UTC. */
const retailDate = (iso: string) => iso.slice(0, 19).replace("T", " ");

/**
 * Each tracked call with an outside party, in RetailCRM's telephony: a call event `in` to
 * the managers whose phones ring (their codes: the phones of a ringall queue in one event),
 * `out` when a manager dials, `hangup` at the end; then the finished call in
 * /telephony/calls/upload, whose externalId (our call id) makes a repeated upload a
 * duplicate rather than a second call. What was sent is kept in integration_calls.
 */
export class RetailCrmTarget implements Target {
  readonly name = "retailcrm";
  readonly batch = 20;
  readonly concurrency = 4;

  constructor(
    private readonly settings: () => RetailCrmSettings | undefined,
    private readonly client: RetailCrmClient,
    private readonly calls: CrmCallStore,
  ) {}

  accepts(event: OutboxEvent): boolean {
    return this.settings()?.register_calls !== false && crmAccepts(event.type, event.data);
  }

  async deliver(items: readonly DeliveryItem[], context: DeliveryContext): Promise<DeliveryResult> {
    const { signal } = context;
    const state = this.calls.get(crmEvent(items[0]!.payload).call.id);
    return deliverCallEvents(
      items,
      {
        ringing: (events) => this.callEvent(events[0]!.call, state, "in", events.flatMap((e) => ringingExtension(e) ?? []), signal),
        started: (event) => this.callEvent(event.call, state, "out", event.call.caller_extension ? [event.call.caller_extension] : [], signal),
        answered: async () => {}, // RetailCRM's call events are in, out and hangup
        ended: (event) => this.ended(event, state, signal),
      },
      (error) => (error instanceof RetailCrmError ? { error: error.message, permanent: !error.transient, retryAfterMs: error.retryAfterMs } : { error: error instanceof Error ? error.message : String(error) }),
    );
  }

  private async callEvent(call: CrmCall, state: CrmCallState, type: "in" | "out", codes: string[], signal: AbortSignal): Promise<void> {
    const fresh = [...new Set(codes)].filter((code) => !state.shown.includes(code));
    if (!fresh.length) return;
    await this.client.post("/api/v5/telephony/call/event", this.form({ event: JSON.stringify(this.event(call, type, fresh)) }), { signal });
    state.shown.push(...fresh);
    state.registeredAt ??= Date.now();
    this.calls.save(call.id, state);
  }

  private async ended(event: CrmEvent, state: CrmCallState, signal: AbortSignal): Promise<void> {
    const call = event.call;
    if (state.finishedAt) return;
    const codes = [...new Set([...state.shown, ...rungExtensions(call), ...(call.answered_extension ? [call.answered_extension] : [])])];
    if (codes.length) await this.client.post("/api/v5/telephony/call/event", this.form({ event: JSON.stringify({ ...this.event(call, "hangup", codes), hangupStatus: HANGUP[call.status ?? "failed"] ?? "failed" }) }), { signal });
    const code = call.answered_extension ?? (call.direction === "outbound" ? call.caller_extension : undefined) ?? codes[0];
    const record = recordingUrl(this.settings()?.recording_url, call);
    const upload = {
      date: retailDate(call.started_at),
      type: call.direction === "outbound" ? "out" : "in",
      phone: customerNumber(call),
      ...(code ? { code } : {}),
      result: RESULT[call.status ?? "failed"] ?? "unknown",
      duration: call.talk_seconds ?? 0,
      durationWaiting: call.wait_seconds ?? 0,
      externalId: call.id,
      ...(record ? { recordUrl: record } : {}),
      ...(call.did ? { externalPhone: call.did } : {}),
      ...(this.settings()?.site ? { site: this.settings()!.site } : {}),
    };
    const answer = await this.client.post("/api/v5/telephony/calls/upload", this.form({ calls: JSON.stringify([upload]) }), { signal });
    if (answer.processedCallsCount === 0 && !JSON.stringify(answer.duplicateCalls ?? []).includes(call.id)) throw new RetailCrmError(`/api/v5/telephony/calls/upload: the call was neither processed nor a duplicate`, 200, false);
    state.finishedAt = Date.now();
    this.calls.save(call.id, state);
  }

  private event(call: CrmCall, type: "in" | "out" | "hangup", codes: string[]) {
    const site = this.settings()?.site;
    return { phone: customerNumber(call), type, codes, callExternalId: call.id, ...(call.did ? { externalPhone: call.did } : {}), ...(site ? { site } : {}) };
  }

  /** The telephony integration's clientId goes with every telephony request when configured. */
  private form(fields: Record<string, string>): Record<string, string> {
    const clientId = this.settings()?.client_id;
    return clientId ? { clientId, ...fields } : fields;
  }
}
