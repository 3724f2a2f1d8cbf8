import { afterEach, describe, expect, test } from "bun:test";
import type { BusinessHours } from "../../src/originate/hours.ts";
import { BY_MOBILE, outboundAgainstFake, outboundYaml } from "../helpers/outbound.ts";
import { outboundAgiCall, pressing } from "../helpers/outbound-agi.ts";
import { waitFor } from "../helpers/wait.ts";

let running: ReturnType<typeof outboundAgainstFake> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A dial whose call is answered, with the outbound script run while it is up. */
function withScript(variables: Record<string, string> = {}) {
  const sessions: string[][] = [];
  running = outboundAgainstFake({
    originate: () => ({ outcome: "answered", whileUp: async (ids) => void sessions.push(await outboundAgiCall(running!.fastagi.port, ids.channelId, pressing("", variables))) }),
  });
  return { ...running, sessions };
}

describe("the outbound script, per kind", () => {
  test("click-to-call: the manager answered; the customer is dialled through the trunk, shown the company's number", async () => {
    const { ready, enqueue, done, sessions, records } = withScript({ DIALSTATUS: "ANSWER", DIALEDPEERNUMBER: "375291234567@mtt" });
    await ready();
    const dial = enqueue({ kind: "click-to-call", number: "+375291234567", extension: "150" });
    expect(await done(dial.id)).toMatchObject({ outcome: "answered", stage: "customer" });
    expect(sessions[0]).toEqual([
      `VERBOSE "ivr outbound click-to-call ${dial.id}: +375291234567" 1`,
      'SET VARIABLE CALLERID(num) "+375171234567"',
      "EXEC Dial PJSIP/375291234567@mtt,30",
      "GET VARIABLE DIALSTATUS",
      "GET VARIABLE DIALEDPEERNUMBER",
    ]);
    expect(records[0]).toMatchObject({ uniqueid: dial.id, direction: "outbound", status: "answered", externalNumber: "+375291234567" });
  });

  test("callback to an extension: Dial of the manager's phone", async () => {
    const { ready, enqueue, done, sessions, records } = withScript({ DIALSTATUS: "BUSY" });
    await ready();
    const dial = enqueue({ kind: "callback", number: "+375291234567", extension: "151" });
    expect(await done(dial.id)).toMatchObject({ outcome: "answered" });
    expect(sessions[0]).toContain("EXEC Dial Local/151@phones,30");
    // The customer answered (the dial's outcome); the extension was busy (the call's record).
    expect(records[0]).toMatchObject({ routeKind: "extension", destination: "151", status: "busy" });
  });
});

describe("schedules gate campaigns", () => {
  test("nothing is dialled while the campaign's schedule is closed; the numbers go when it opens", async () => {
    let open = false;
    const hours: BusinessHours = { isOpen: () => open, nextOpening: (_s, at) => (open ? at : at + 60_000) };
    const yaml = (port: number) => outboundYaml(port).replace("      invalid_sound: ivr/invalid\n", "      invalid_sound: ivr/invalid\n      schedule: office\n");
    running = outboundAgainstFake({ hours, yaml });
    const { outbound, ready, fake } = running;
    await ready();
    outbound.campaigns.addNumbers("donations", [{ number: BY_MOBILE(1) }, { number: BY_MOBILE(2) }]);
    outbound.campaigns.command("donations", "start");
    await Bun.sleep(300);
    expect(fake.originates).toHaveLength(0);
    open = true;
    outbound.dialer.wake();
    await waitFor(() => outbound.campaigns.progress("donations").state === "done", "the campaign to run once open");
    expect(fake.originates).toHaveLength(2);
  });
});

describe("limits are per trunk, across the API and campaigns", () => {
  test("a campaign holding the trunk's max_concurrent calls: its other numbers wait; the trunk's load (what the API refuses over) is full", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    running = outboundAgainstFake({ originate: () => ({ outcome: "answered", whileUp: () => held }) });
    const { outbound, ready, fake } = running;
    await ready();
    outbound.campaigns.addNumbers("donations", [1, 2, 3].map((i) => ({ number: BY_MOBILE(i) })));
    outbound.campaigns.command("donations", "start");
    await waitFor(() => fake.originates.length === 2, "two calls");
    expect(outbound.dialer.limits.load("main")).toBe(2);
    await Bun.sleep(100);
    expect(fake.originates).toHaveLength(2);
    release();
    await waitFor(() => outbound.campaigns.progress("donations").state === "done", "the campaign to finish");
    expect(fake.originates).toHaveLength(3);
  });
});
