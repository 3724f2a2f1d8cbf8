import { afterEach, describe, expect, test } from "bun:test";
import type { OriginateOutcome } from "../helpers/fake-originate.ts";
import { BY_MOBILE, outboundAgainstFake } from "../helpers/outbound.ts";

let running: ReturnType<typeof outboundAgainstFake> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe("each outcome, from the recorded originates of Asterisk 22 replayed by the fake", () => {
  const cases: Array<[OriginateOutcome, string]> = [
    ["answered", "answered"],
    ["busy", "busy"],
    ["noanswer", "no_answer"],
    ["congestion", "congestion"],
    ["failed", "failed"],
  ];
  test.each(cases)("callback, the customer's line: %s -> %s", async (scenario, outcome) => {
    running = outboundAgainstFake({ originate: () => ({ outcome: scenario }) });
    await running.ready();
    const dial = running.enqueue({ kind: "callback", number: BY_MOBILE(1), queue: "10001" });
    const done = await running.done(dial.id);
    expect(done).toMatchObject({ state: "done", outcome, stage: "customer", attempt: 1, callId: dial.id });
    const [action] = running.fake.originates;
    expect(action!.toObject()).toMatchObject({ Action: "Originate", Channel: "Local/375291000001@to-trunk", Context: "ivr-outbound", Exten: "s", Priority: "1", Async: "true", ChannelId: dial.id, OtherChannelId: `${dial.id}-2`, Variable: `IVR_CALL=${dial.id}` });
    expect(action!.get("Application")).toBeUndefined();
  });
});
