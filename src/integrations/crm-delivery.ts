import type { DeliveryItem, DeliveryResult } from "../outbox/types.ts";
import { type CrmEvent, crmEvent } from "./crm-event.ts";

/** What a CRM does with each kind of a call's events; each step is done once its promise resolves. */
export interface CallSteps {
  /** The phones ringing now, together (a ringall queue's phones come as consecutive events). */
  ringing(events: CrmEvent[]): Promise<void>;
  started(event: CrmEvent): Promise<void>;
  answered(event: CrmEvent): Promise<void>;
  ended(event: CrmEvent, item: DeliveryItem): Promise<void>;
}

/**
 * Runs a batch of one call's deliveries through a CRM's steps, in order, consecutive
 * ringing events as one step; reports how many were done, and why it stopped if it did.
 */
export async function deliverCallEvents(items: readonly DeliveryItem[], steps: CallSteps, failure: (error: unknown) => Omit<Extract<DeliveryResult, { error: string }>, "delivered">): Promise<DeliveryResult> {
  const events = items.map((item) => crmEvent(item.payload));
  let done = 0;
  try {
    while (done < events.length) {
      const event = events[done]!;
      if (event.type === "call.ringing") {
        let end = done;
        while (end < events.length && events[end]!.type === "call.ringing") end++;
        await steps.ringing(events.slice(done, end));
        done = end;
        continue;
      }
      if (event.type === "call.started") await steps.started(event);
      if (event.type === "call.answered") await steps.answered(event);
      if (event.type === "call.ended") await steps.ended(event, items[done]!);
      done++;
    }
    return { delivered: done };
  } catch (error) {
    return { delivered: done, ...failure(error) };
  }
}
