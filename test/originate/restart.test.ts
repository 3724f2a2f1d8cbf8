import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { FakeAmi } from "../helpers/fake-ami.ts";
import { BY_MOBILE, outboundAgainstFake } from "../helpers/outbound.ts";
import { waitFor } from "../helpers/wait.ts";

let fake: FakeAmi | undefined;
let running: ReturnType<typeof outboundAgainstFake> | undefined;
const dbPaths: string[] = [];
afterEach(async () => {
  await running?.stop();
  fake?.stop();
  running = fake = undefined;
  for (const path of dbPaths.splice(0)) rmSync(dirname(path), { recursive: true, force: true });
});
const newDbPath = () => {
  const path = join(mkdtempSync(join(tmpdir(), "ivr-restart-")), "ivr.sqlite");
  dbPaths.push(path);
  return path;
};

/** A fake Asterisk whose calls stay up until released (they outlive ivr, as on a real PBX). */
function heldCalls() {
  const releases: Array<() => void> = [];
  fake = new FakeAmi({ originate: () => ({ outcome: "answered", whileUp: () => new Promise<void>((resolve) => releases.push(resolve)) }) }).start();
  return { fake, release: () => releases.splice(0).forEach((release) => release()), held: () => releases.length };
}

const numbersOf = (f: FakeAmi) => f.originates.map((a) => a.get("Channel"));

describe("a restart mid-campaign: no number dialled twice, none forgotten", () => {
  test("calls still up on the PBX are found in the first snapshot and followed to their end", async () => {
    const { fake, release, held } = heldCalls();
    const dbPath = newDbPath();
    const first = outboundAgainstFake({ fake, dbPath });
    await first.ready();
    first.outbound.campaigns.addNumbers("donations", Array.from({ length: 5 }, (_, i) => ({ number: BY_MOBILE(i) })));
    first.outbound.campaigns.command("donations", "start");
    await waitFor(() => held() === 2, "two calls up");
    await first.crash();

    running = outboundAgainstFake({ fake, dbPath });
    expect(running.outbound.dialer.readiness()).toMatchObject({ ready: false });
    await running.ready();
    expect(running.log()).toContain("2 dials were in progress before the restart");
    release();
    const progress = () => running!.outbound.campaigns.progress("donations");
    await waitFor(() => {
      release();
      return progress().state === "done";
    }, "the campaign to finish");
    expect(progress()).toMatchObject({ numbers: 5, dialed: 5, answered: 5, outcomes: { answered: 5 } });
    expect(new Set(numbersOf(fake)).size).toBe(5);
    expect(numbersOf(fake)).toHaveLength(5);
  });

  test("a call that ended while ivr was down is closed as unknown, and not dialled again", async () => {
    const { fake, release, held } = heldCalls();
    const dbPath = newDbPath();
    const first = outboundAgainstFake({ fake, dbPath });
    await first.ready();
    first.outbound.campaigns.addNumbers("donations", [{ number: BY_MOBILE(1) }]);
    first.outbound.campaigns.command("donations", "start");
    await waitFor(() => held() === 1 && first.outbound.store.inFlight()[0]?.state === "answered", "the call up");
    const [dialling] = first.outbound.store.inFlight();
    await first.crash();
    release();
    await waitFor(() => fake.channels.size === 0, "the call to end on the PBX");

    running = outboundAgainstFake({ fake, dbPath });
    await running.ready();
    const dial = await running.done(dialling!.id);
    // It was answered before the crash: that much is known.
    expect(dial).toMatchObject({ outcome: "answered", detail: expect.stringContaining("while ivr was not following it") });
    expect(numbersOf(fake)).toHaveLength(1);
  });

  test("a call never answered and gone after the restart is unknown: never dialled a second time", async () => {
    const dbPath = newDbPath();
    fake = new FakeAmi({ originate: () => ({ outcome: "noanswer", holdMs: 60_000 }) }).start();
    const first = outboundAgainstFake({ fake, dbPath });
    await first.ready();
    first.outbound.campaigns.addNumbers("donations", [{ number: BY_MOBILE(1) }]);
    first.outbound.campaigns.command("donations", "start");
    await waitFor(() => first.outbound.dialer.flights.dialOf(first.outbound.store.inFlight()[0]?.id ?? "")?.state === "ringing", "the call ringing");
    const [dialling] = first.outbound.store.inFlight();
    await first.crash();
    fake.channels.clear(); // the PBX forgot it: it ended while ivr was down

    running = outboundAgainstFake({ fake, dbPath });
    await running.ready();
    expect(await running.done(dialling!.id)).toMatchObject({ outcome: "unknown", attempt: 1 });
    await Bun.sleep(100);
    expect(numbersOf(fake)).toHaveLength(1);
    expect(running.outbound.campaigns.progress("donations")).toMatchObject({ state: "done", outcomes: { unknown: 1 } });
  });
});
