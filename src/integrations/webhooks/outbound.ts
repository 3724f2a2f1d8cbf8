import type { History } from "../../history/db.ts";
import type { OutboundOutbox } from "../../originate/events.ts";
import type { OutboxRecorder } from "../../outbox/recorder.ts";
import type { Target } from "../../outbox/types.ts";

/**
 * The outbound events (originate.*, campaign.*) into the outbox, as the calls' own go: an
 * event of a written change is stored in that change's transaction, after its key's events
 * still waiting in the recorder (so a dial's sequence stays in the order things happened);
 * one of a change kept in memory waits in the recorder and is written with the next batch.
 * The dialer never waits on anything but its own SQLite write.
 */
export function outboundOutbox(history: History, recorder: OutboxRecorder, targets: () => ReadonlyMap<string, Target>): OutboundOutbox {
  let seen: ReadonlyMap<string, Target> | undefined;
  let wanted = new Map<string, boolean>();
  const wants = (type: string) => {
    const current = targets();
    if (current !== seen) {
      seen = current;
      wanted = new Map();
    }
    let yes = wanted.get(type);
    if (yes === undefined) {
      // The types are the webhooks' alone: the CRMs take calls with an outside party (data.call).
      yes = [...current.values()].some((target) => target.accepts({ type, key: "", at: 0, data: {} }));
      wanted.set(type, yes);
    }
    return yes;
  };
  return {
    wants,
    publish: (event) => recorder.publish(event),
    withWrite(key, write, events) {
      recorder.reserve(key);
      let stored = 0;
      const result = history.sqlite.transaction(() => {
        const written = write();
        stored = recorder.writeWithCall(key, events(written));
        return written;
      })();
      recorder.committed(key, stored);
      return result;
    },
  };
}
