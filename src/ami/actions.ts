import { ACTION_CLASSES, AmiPermissionError, AmiResponseError, AmiTimeoutError } from "./errors.ts";
import type { AmiMessage } from "./message.ts";

export interface ListResult {
  response: AmiMessage;
  items: AmiMessage[];
  complete: AmiMessage | undefined;
}

interface Pending {
  action: string;
  resolve: (value: AmiMessage | ListResult) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  list?: { items: AmiMessage[]; response?: AmiMessage };
}

/**
 * The actions waiting for Asterisk, by ActionID. A response settles its action (an error
 * response rejects it, naming the manager.conf class when permission was denied); a list
 * action (`EventList: start`) collects the events carrying its ActionID until the one with
 * `EventList: Complete`. Each has its own timeout; on disconnect all are rejected at once.
 */
export class PendingActions {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly username: string) {}

  get size(): number {
    return this.pending.size;
  }

  expect(actionId: string, action: string, timeoutMs: number, list: boolean): Promise<AmiMessage | ListResult> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(actionId);
        reject(new AmiTimeoutError(action, timeoutMs));
      }, timeoutMs);
      this.pending.set(actionId, { action, resolve, reject, timer, list: list ? { items: [] } : undefined });
    });
  }

  /** A Response: settles its action; false when no action of ours has that ActionID. */
  response(response: AmiMessage): boolean {
    const actionId = response.get("ActionID");
    const pending = actionId === undefined ? undefined : this.pending.get(actionId);
    if (!pending) return false;
    if (response.get("Response") === "Error") {
      const message = response.get("Message") ?? "";
      const classes = ACTION_CLASSES[pending.action];
      this.settle(actionId!, pending);
      pending.reject(/permission denied/i.test(message) && classes ? new AmiPermissionError(pending.action, response, this.username, classes) : new AmiResponseError(pending.action, response));
    } else if (pending.list && /^start$/i.test(response.get("EventList") ?? "")) {
      pending.list.response = response;
    } else {
      this.settle(actionId!, pending);
      pending.resolve(pending.list ? { response, items: [], complete: undefined } : response);
    }
    return true;
  }

  /** An event: true when it is an item (or the end) of one of our list actions, not a live event. */
  listItem(event: AmiMessage): boolean {
    const actionId = event.get("ActionID");
    const pending = actionId === undefined ? undefined : this.pending.get(actionId);
    if (!pending?.list) return false;
    if (/^complete$/i.test(event.get("EventList") ?? "")) {
      this.settle(actionId!, pending);
      pending.resolve({ response: pending.list.response ?? event, items: pending.list.items, complete: event });
    } else {
      pending.list.items.push(event);
    }
    return true;
  }

  rejectAll(error: Error): void {
    for (const [actionId, pending] of this.pending) {
      this.settle(actionId, pending);
      pending.reject(error);
    }
  }

  private settle(actionId: string, pending: Pending): void {
    clearTimeout(pending.timer);
    this.pending.delete(actionId);
  }
}
