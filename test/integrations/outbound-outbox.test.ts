import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type History, openHistory } from "../../src/history/db.ts";
import { outboundOutbox } from "../../src/integrations/webhooks/outbound.ts";
import { WebhookTarget } from "../../src/integrations/webhooks/target.ts";
import { dialJson, dialOutboxEvent } from "../../src/originate/events.ts";
import { DialStore } from "../../src/originate/store.ts";
import type { Dial } from "../../src/originate/types.ts";
import { PendingWrites } from "../../src/originate/writes.ts";
import type { Target } from "../../src/outbox/types.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { outboxOn, RecordingTarget } from "../helpers/outbox.ts";
import { TEST_SECRET } from "../helpers/webhook-receiver.ts";

const newDial = (id: string) => ({ id, kind: "callback" as const, campaign: null, client: "crm", enterprise: null, number: "+375291234567", numberRaw: null, extension: null, queue: "10001", menu: null, trunk: "main", schedule: null, data: null, notBefore: 0 });

const opened: History[] = [];
afterEach(() => {
  for (const history of opened.splice(0)) {
    history.close();
    rmSync(dirname(history.path), { recursive: true, force: true });
  }
});

function setup(history?: History) {
  const target = new RecordingTarget("webhook:crm");
  const box = outboxOn([target], { history });
  opened.push(box.history);
  const targets = new Map<string, Target>([[target.name, target]]);
  return { ...box, target, outbox: outboundOutbox(box.history, box.recorder, () => targets), dials: new DialStore(box.history) };
}

const stored = (box: ReturnType<typeof setup>) => box.history.sqlite.query("SELECT ordering_key AS key, sequence, type FROM outbox_events ORDER BY id").all();

describe("the outbound events into the outbox", () => {
  test("an event of a written change is stored in its transaction, after the dial's events still waiting in memory", () => {
    const box = setup();
    const dial = box.dials.insert(newDial("oaaaaaaa1")) as Dial;
    // dialing: kept in memory, waits in the recorder (not yet flushed).
    box.outbox.publish(dialOutboxEvent("originate.dialing", { dial: dialJson(dial), at: 1 }));
    expect(stored(box)).toEqual([]);
    const answered = { ...dial, state: "answered" as const };
    box.outbox.withWrite(dial.id, () => box.dials.change(dial.id, { state: "answered" }), () => [dialOutboxEvent("originate.answered", { dial: dialJson(answered), at: 2 })]);
    expect(stored(box)).toEqual([
      { key: dial.id, sequence: 1, type: "originate.dialing" },
      { key: dial.id, sequence: 2, type: "originate.answered" },
    ]);
    expect(box.dials.get(dial.id)!.state).toBe("answered");
    // Nothing is left waiting to be stored twice.
    expect(box.recorder.flush()).toBe(0);
    expect(box.recorder.depth).toBe(0);
  });

  test("a write that fails stores no event; the events are built only once the write went through", () => {
    const box = setup();
    let built = 0;
    expect(() =>
      box.outbox.withWrite(
        "oaaaaaaa2",
        () => {
          box.dials.insert(newDial("oaaaaaaa2"));
          throw new Error("the change failed");
        },
        () => (built++, [dialOutboxEvent("originate.queued", { dial: dialJson(box.dials.get("oaaaaaaa2")!), at: 1 })]),
      ),
    ).toThrow("the change failed");
    expect(built).toBe(0);
    expect(stored(box)).toEqual([]);
    expect(box.dials.get("oaaaaaaa2")).toBeUndefined();
  });

  test("while another process holds the database: neither the dial's change nor its event is written; both go together, in order, once it lets go", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ivr-outbound-outbox-")), "ivr.sqlite");
    const box = setup(openHistory(path, { busyTimeoutMs: 20 }));
    const writes = new PendingWrites(captureLog().log);
    const dial = box.dials.insert(newDial("oaaaaaaa3")) as Dial;
    const locker = Bun.spawn([process.execPath, join(import.meta.dir, "..", "helpers", "db-locker.ts"), path, "20000"], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    const out = LineReader.fromStream(locker.stdout);
    expect(await out.next(10_000, "the lock")).toBe("locked");

    box.outbox.publish(dialOutboxEvent("originate.ringing", { dial: dialJson({ ...dial, state: "ringing" }), at: 1 }));
    const ended = { ...dial, state: "done" as const, outcome: "busy" as const };
    const events = [dialOutboxEvent("originate.ended", { dial: dialJson(ended), at: 2 })];
    writes.write(() => box.outbox.withWrite(dial.id, () => void box.dials.change(dial.id, { state: "done", outcome: "busy" }), () => events));
    expect(writes.size).toBe(1);
    expect(box.recorder.flush()).toBe(0);

    locker.stdin.write("go\n");
    await locker.stdin.flush();
    expect(await out.next(10_000, "the release")).toBe("released");
    await locker.exited;
    expect(box.dials.get(dial.id)!.state).toBe("queued");
    expect(writes.flush()).toBe(true);
    expect(box.dials.get(dial.id)).toMatchObject({ state: "done", outcome: "busy" });
    expect(stored(box)).toEqual([
      { key: dial.id, sequence: 1, type: "originate.ringing" },
      { key: dial.id, sequence: 2, type: "originate.ended" },
    ]);
    expect(box.recorder.flush()).toBe(0);
  });

  test("nothing is built for a type no webhook subscribes to; the CRMs take none of them", () => {
    const { history, recorder } = outboxOn([]);
    opened.push(history);
    const webhook = new WebhookTarget({ url: "https://hooks.example.com/ivr", secret: TEST_SECRET, events: ["originate.ended", "campaign.action"] });
    let targets = new Map<string, Target>([[webhook.name, webhook]]);
    const outbox = outboundOutbox(history, recorder, () => targets);
    expect(["originate.ended", "campaign.action", "originate.dialing", "campaign.done"].map((type) => outbox.wants(type as "originate.ended"))).toEqual([true, true, false, false]);
    const everything = new WebhookTarget({ name: "all", url: "https://hooks.example.com/all", secret: TEST_SECRET, events: ["*"] });
    targets = new Map([[everything.name, everything]]);
    expect(outbox.wants("originate.dialing")).toBe(true);
    const crmLike = new RecordingTarget("bitrix24");
    crmLike.accepts = (event) => "call" in event.data;
    targets = new Map([[crmLike.name, crmLike]]);
    expect(outbox.wants("originate.ended")).toBe(false);
  });
});
