import type { Bitrix24Settings } from "../../config/integrations-schema.ts";
import type { Logger } from "../../log.ts";
import type { DeliveryContext, DeliveryItem, DeliveryResult, OutboxEvent, Target } from "../../outbox/types.ts";
import { type CrmCallState, type CrmCallStore, SharedRemoteId } from "../call-state.ts";
import { deliverCallEvents } from "../crm-delivery.ts";
import { type CrmCall, type CrmEvent, crmAccepts, crmEvent, customerNumber, recordingUrl, ringingExtension } from "../crm-event.ts";
import { type Bitrix24Client, Bitrix24Error } from "./client.ts";
import type { UserDirectory } from "./users.ts";

/** telephony.externalcall.finish STATUS_CODE from the call's status (the codes of its docs). */
const STATUS_CODES: Record<string, string> = { answered: "200", busy: "486", no_answer: "304", abandoned: "304", unavailable: "480", failed: "OTHER" };

/** "2026-11-21T12:00:00+00:00": ISO 8601 with its offset, as CALL_START_DATE wants it. */
const bitrixDate = (iso: string) => `${iso.slice(0, 19)}+00:00`;

/**
 * Each tracked call with an outside party, registered in Bitrix24: register when the first
 * phone with a Bitrix24 user rings (or an outbound call starts, or at the end when none
 * did), the card shown to every user whose phone rings (the phones of a ringall queue in one
 * request), hidden from the others when someone answers, finish with the duration and the
 * status, attachRecord when a recording URL is configured. What was done is kept in
 * integration_calls between attempts: a retried delivery never registers or finishes twice.
 * EXTERNAL_CALL_ID is our call's id, so two calls from one number get two CALL_IDs (Bitrix24
 * returns the same CALL_ID for a repeated register within 30 minutes); a CALL_ID already
 * held by another call is refused, never shared.
 */
export class Bitrix24Target implements Target {
  readonly name = "bitrix24";
  readonly batch = 20;
  readonly concurrency = 2;

  constructor(
    private readonly settings: () => Bitrix24Settings | undefined,
    private readonly client: Bitrix24Client,
    private readonly users: UserDirectory,
    private readonly calls: CrmCallStore,
    private readonly log: Logger,
  ) {}

  accepts(event: OutboxEvent): boolean {
    if (event.type === "click_to_call.refused") return true;
    return this.settings()?.register_calls !== false && crmAccepts(event.type, event.data);
  }

  async deliver(items: readonly DeliveryItem[], context: DeliveryContext): Promise<DeliveryResult> {
    const { signal } = context;
    if (items[0]!.type === "click_to_call.refused") return this.refused(items[0]!, signal);
    const state = this.calls.get(crmEvent(items[0]!.payload).call.id);
    return deliverCallEvents(
      items,
      {
        ringing: (events) => this.ringing(events, state, signal),
        started: (event) => this.register(event.call, state, event.call.caller_extension ?? undefined, signal),
        answered: (event) => this.answered(event.call, state, signal),
        ended: (event, item) => this.ended(event.call, state, item, signal),
      },
      failure,
    );
  }

  /** A click-to-call that could not be placed: Bitrix24's card for it is finished, declined, with the reason. */
  private async refused(item: DeliveryItem, signal: AbortSignal): Promise<DeliveryResult> {
    const { data } = JSON.parse(item.payload) as { data: { call_id: string; user_id: string; reason: string } };
    try {
      await this.client.call("telephony.externalcall.finish", { CALL_ID: data.call_id, USER_ID: Number(data.user_id), DURATION: 0, STATUS_CODE: "603", FAILED_REASON: data.reason }, signal);
    } catch (error) {
      // Already gone (finished by hand, or by an earlier attempt): nothing is left to tell.
      if (!(error instanceof Bitrix24Error && /not found/i.test(error.message))) return { delivered: 0, ...failure(error) };
    }
    return { delivered: 1 };
  }

  private async ringing(events: CrmEvent[], state: CrmCallState, signal: AbortSignal): Promise<void> {
    const users: string[] = [];
    for (const event of events) {
      const extension = ringingExtension(event);
      const user = extension ? await this.users.userOf(extension, signal) : undefined;
      if (user && !users.includes(user)) users.push(user);
    }
    if (!users.length) return;
    await this.register(events[0]!.call, state, undefined, signal, users[0]);
    const fresh = users.filter((user) => !state.shown.includes(user));
    if (!fresh.length || this.settings()?.show_card === false) return;
    await this.client.call("telephony.externalcall.show", { CALL_ID: state.remoteId, USER_ID: fresh }, signal);
    state.shown.push(...fresh);
    this.calls.save(events[0]!.call.id, state);
  }

  private async answered(call: CrmCall, state: CrmCallState, signal: AbortSignal): Promise<void> {
    if (!state.remoteId) return;
    const answerer = call.answered_extension ? await this.users.userOf(call.answered_extension, signal) : undefined;
    await this.hide(call, state, answerer, signal);
  }

  private async ended(call: CrmCall, state: CrmCallState, item: DeliveryItem, signal: AbortSignal): Promise<void> {
    if (!state.finishedAt) await this.finish(call, state, item, signal);
    const record = recordingUrl(this.settings()?.recording_url, call);
    if (!record || state.recorded) return;
    const name = decodeURIComponent(new URL(record).pathname.split("/").pop() || `${call.uniqueid}.mp3`);
    await this.client.call("telephony.externalCall.attachRecord", { CALL_ID: state.remoteId, RECORD_URL: record, FILENAME: name }, signal);
    state.recorded = true;
    this.calls.save(call.id, state);
  }

  private async finish(call: CrmCall, state: CrmCallState, item: DeliveryItem, signal: AbortSignal): Promise<void> {
    const answerer = call.answered_extension ? await this.users.userOf(call.answered_extension, signal) : undefined;
    await this.register(call, state, undefined, signal, answerer);
    await this.hide(call, state, answerer, signal);
    const user = answerer ?? state.userId;
    const status = call.status ?? "failed";
    try {
      await this.client.call(
        "telephony.externalcall.finish",
        {
          CALL_ID: state.remoteId,
          USER_ID: Number(user),
          DURATION: call.talk_seconds ?? 0,
          STATUS_CODE: STATUS_CODES[status] ?? "OTHER",
          ...(status !== "answered" && call.hangup_cause_text ? { FAILED_REASON: call.hangup_cause_text } : {}),
        },
        signal,
      );
    } catch (error) {
      // An earlier attempt finished it, but its answer was lost: Bitrix24 no longer knows the call.
      if (!(item.attempts > 0 && error instanceof Bitrix24Error && /not found/i.test(error.message))) throw error;
      this.log.info(`bitrix24: call ${call.id} (${state.remoteId}) was already finished by an earlier attempt`);
    }
    state.finishedAt = Date.now();
    this.calls.save(call.id, state);
  }

  /** Registers the call once; `user` (else the extension's user, the default user) is who it is registered to. */
  private async register(call: CrmCall, state: CrmCallState, extension: string | undefined, signal: AbortSignal, user?: string): Promise<void> {
    if (state.remoteId) return;
    const settings = this.settings();
    const owner = user ?? (extension ? await this.users.userOf(extension, signal) : undefined) ?? (settings?.default_user_id !== undefined ? String(settings.default_user_id) : undefined);
    if (!owner) throw new Bitrix24Error(`call ${call.id}: no Bitrix24 user to register it to (no phone of the call has a user with that UF_PHONE_INNER); set bitrix24.default_user_id`, "NO_USER", undefined, false);
    const result = await this.client.call<{ CALL_ID?: string }>(
      "telephony.externalcall.register",
      {
        USER_ID: Number(owner),
        PHONE_NUMBER: customerNumber(call),
        TYPE: call.direction === "outbound" ? 1 : 2,
        CALL_START_DATE: bitrixDate(call.started_at),
        CRM_CREATE: settings?.create_leads ? 1 : 0,
        SHOW: 0,
        EXTERNAL_CALL_ID: call.id,
        ...(settings?.line_number ? { LINE_NUMBER: settings.line_number } : {}),
      },
      signal,
    );
    if (!result?.CALL_ID) throw new Bitrix24Error(`telephony.externalcall.register: no CALL_ID in the answer for call ${call.id}`, "MALFORMED", 200, true);
    state.remoteId = String(result.CALL_ID);
    state.userId = owner;
    state.registeredAt = Date.now();
    this.calls.save(call.id, state);
  }

  /** Hides the card from everyone it was shown to but `keep` (the party who has the call). */
  private async hide(call: CrmCall, state: CrmCallState, keep: string | undefined, signal: AbortSignal): Promise<void> {
    const others = state.shown.filter((user) => user !== keep && !state.hidden.includes(user));
    if (!others.length || !state.remoteId) return;
    await this.client.call("telephony.externalcall.hide", { CALL_ID: state.remoteId, USER_ID: others }, signal);
    state.hidden.push(...others);
    this.calls.save(call.id, state);
  }
}

function failure(error: unknown): { error: string; permanent?: boolean; retryAfterMs?: number } {
  if (error instanceof Bitrix24Error) return { error: error.message, permanent: !error.transient, retryAfterMs: error.retryAfterMs };
  if (error instanceof SharedRemoteId) return { error: error.message, permanent: true };
  return { error: error instanceof Error ? error.message : String(error) };
}
