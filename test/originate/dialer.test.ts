import { afterEach, describe, expect, test } from "bun:test";
import { FakeAmi } from "../helpers/fake-ami.ts";
import type { OriginateOutcome } from "../helpers/fake-originate.ts";
import { BY_MOBILE, outboundAgainstFake } from "../helpers/outbound.ts";
import { waitFor } from "../helpers/wait.ts";

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
    expect(action!.toObject()).toMatchObject({ Action: "Originate", Channel: "PJSIP/375291000001@mtt", Context: "ivr-outbound", Exten: "s", Priority: "1", Async: "true", ChannelId: dial.id, OtherChannelId: `${dial.id}-2`, Variable: `IVR_CALL=${dial.id}` });
    expect(action!.get("Application")).toBeUndefined();
  });
});

describe("the dial's life, as events on the tracker's bus", () => {
  test("answered: queued, dialing, ringing, answered, ended; the state written at each step", async () => {
    running = outboundAgainstFake();
    const events: string[] = [];
    for (const type of ["originate.queued", "originate.dialing", "originate.ringing", "originate.answered", "originate.ended"] as const) {
      running.tracking.tracker.bus.on(type, ({ dial }) => events.push(`${type} ${dial.state}${dial.outcome ? ` ${dial.outcome}` : ""}`));
    }
    await running.ready();
    const dial = running.enqueue({ kind: "callback", number: BY_MOBILE(1), queue: "10001" });
    await running.done(dial.id);
    expect(events).toEqual(["originate.queued queued", "originate.dialing claimed", "originate.ringing ringing", "originate.answered answered", "originate.ended done answered"]);
    expect(running.outbound.store.get(dial.id)).toMatchObject({ acceptedAt: expect.any(Number), answeredAt: expect.any(Number), endedAt: expect.any(Number), hint: "Success 4" });
  });

  test("click-to-call: the extension's outcome when it does not answer, the customer's when it does", async () => {
    running = outboundAgainstFake({ originate: (action) => ({ outcome: action.get("Channel") === "Local/151@phones" ? "noanswer" : "answered" }) });
    await running.ready();
    const unanswered = running.enqueue({ kind: "click-to-call", number: BY_MOBILE(1), extension: "151" });
    const answered = running.enqueue({ kind: "click-to-call", number: BY_MOBILE(2), extension: "150" });
    expect(await running.done(unanswered.id)).toMatchObject({ outcome: "no_answer", stage: "extension", detail: expect.stringContaining("extension Local/151@phones") });
    expect(await running.done(answered.id)).toMatchObject({ outcome: "answered", stage: "customer" });
  });

  test("cancelled while it rings: ivr hangs it up (Hangup), the outcome is cancelled", async () => {
    running = outboundAgainstFake({ originate: () => ({ outcome: "noanswer", holdMs: 30_000 }) });
    await running.ready();
    const dial = running.enqueue({ kind: "callback", number: BY_MOBILE(1), queue: "10001" });
    await waitFor(() => running!.outbound.dialer.flights.dialOf(dial.id)?.state === "ringing", "ringing");
    expect(running.outbound.dialer.cancel(running.outbound.dialer.flights.dialOf(dial.id)!)).toBe("hanging-up");
    expect(await running.done(dial.id)).toMatchObject({ outcome: "cancelled" });
    expect(running.fake.actions.find((a) => a.get("Action") === "Hangup")?.get("Channel")).toMatch(/^PJSIP\/mtt-[0-9a-f]{8}$/);
  });

  test("Asterisk refuses the Originate (write=originate missing): failed with its reason, not retried", async () => {
    running = outboundAgainstFake({ fake: new FakeAmi({ denied: ["Originate"] }).start() });
    await running.ready();
    const dial = running.enqueue({ kind: "callback", number: BY_MOBILE(1), queue: "10001" });
    expect(await running.done(dial.id)).toMatchObject({ outcome: "failed", detail: expect.stringContaining('permission denied for Originate: add "originate" to write=') });
  });

  test("nothing is dialled while AMI is down: queued dials wait, and go once it is back", async () => {
    running = outboundAgainstFake();
    await running.ready();
    running.fake.drop(true);
    await waitFor(() => !running!.outbound.dialer.readiness().ready, "the dialer to notice");
    const dial = running.enqueue({ kind: "callback", number: BY_MOBILE(1), queue: "10001" });
    await Bun.sleep(200);
    expect(running.outbound.store.get(dial.id)).toMatchObject({ state: "queued", attempt: 0 });
    running.fake.comeBack();
    expect(await running.done(dial.id)).toMatchObject({ outcome: "answered", attempt: 1 });
    expect(running.fake.originates).toHaveLength(1);
  });
});
