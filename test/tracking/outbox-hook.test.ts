import { describe, expect, test } from "bun:test";
import { listCalls } from "../../src/history/queries.ts";
import { type CallOutbox, trackedCallRow, TrackedCallWriter } from "../../src/tracking/store.ts";
import type { CallSummary } from "../../src/tracking/summary.ts";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { tempHistory } from "../helpers/history.ts";
import { replay, trunks } from "../helpers/tracking.ts";

const ended = () => replay(amiEvents("queue-call"), trunks(/^Local\/10001@queue-in-/)).ended;

describe("the outbox hook of the tracked-call writer", () => {
  test("what goes out because a call ended is written in the call's own transaction: both or neither", () => {
    const history = tempHistory();
    const { log, text } = captureLog();
    const seen: string[] = [];
    const outbox: CallOutbox = {
      withCall: (call, id) => {
        history.sqlite.run("INSERT INTO outbox_cursors (name, last_id) VALUES (?, ?)", [`ended:${call.id}`, id]);
        if (call.id === "ami-queue-a") throw new Error("the outbox refused");
        return 1;
      },
      written: (call, stored) => seen.push(`${call.id}:${stored}`),
    };
    const writer = new TrackedCallWriter(history, log, (call) => trackedCallRow(call, { country: "TH" }, () => undefined), { outbox });
    for (const call of ended()) writer.add(call);
    writer.add({ ...ended()[0]!, id: "other", uniqueid: "other-1", uniqueids: ["other-1"] } as CallSummary);
    writer.flush();
    // The call whose outbox write failed is not recorded, and nothing of its outbox is left.
    expect(listCalls(history, { limit: 10 }).map((c) => c.uniqueid)).toEqual(["other-1"]);
    expect(history.sqlite.query("SELECT name FROM outbox_cursors ORDER BY name").all()).toEqual([{ name: "ended:other" }]);
    expect(seen).toEqual(["other:1"]);
    expect(text()).toContain("tracked call ami-queue-a not recorded: the outbox refused");
  });
});
