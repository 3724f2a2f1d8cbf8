import { afterEach, describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import { FORCED_CLOSED_RECHECK_MS, scheduleHours } from "../../src/originate/hours.ts";
import { ScheduleService } from "../../src/schedules/service.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { ADMIN, ENV, testApp } from "../helpers/http-app.ts";
import { outboundAgainstFake, outboundYaml } from "../helpers/outbound.ts";
import { at } from "../helpers/schedules.ts";
import { waitFor } from "../helpers/wait.ts";

/**
 * Callbacks under the real schedules: section (ScheduleService, overrides included), as ivr
 * serve wires them (scheduleHours). The dialer and the schedules read one clock that runs
 * with real time from a chosen instant, so a test can move it to the opening.
 */
const SCHEDULES = `schedules:
  office:
    timezone: UTC
    hours: { mon-fri: ["09:00-18:00"] }
`;
const SERVER = "server:\n  admin_token: ${IVR_TEST_ADMIN_TOKEN}\n";
const MONDAY_0830 = at("2026-11-23T08:30:00Z");
const MONDAY_0900 = at("2026-11-23T09:00:00Z");

let running: ReturnType<typeof outboundAgainstFake> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

function office() {
  let shift = MONDAY_0830 - Date.now();
  const clock = () => Date.now() + shift;
  const { log } = captureLog();
  const schedules = new ScheduleService({ snapshot: () => ({ config: parseConfig(SCHEDULES, "schedules.yaml") }), clock, log });
  const yaml = (port: number) => outboundYaml(port, SERVER + SCHEDULES, { callbackSchedule: "office" });
  running = outboundAgainstFake({ hours: scheduleHours(schedules), yaml, clock });
  const { app } = testApp({ config: parseConfig(yaml(running.fake.port), "test.yaml"), outbound: running.outbound, history: running.history, env: { ...ENV, AMI_TEST_SECRET: running.fake.secret } });
  const callback = async (to: string) => {
    const response = await app.request("/api/originate", {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "callback", to, queue: "10001" }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  return { ...running, schedules, callback, clock, moveTo: (instant: number) => void (shift = instant - Date.now()) };
}

describe("callbacks obey the schedules: section", () => {
  test("asked for while the office is closed: not dialled; placed when it opens", async () => {
    const { callback, ready, fake, done, moveTo } = office();
    await ready();
    const posted = await callback("+375291234567");
    expect(posted.status).toBe(202);
    expect(Date.parse(posted.body.not_before)).toBe(MONDAY_0900);
    // More than the dialer's idle look (1 s): it saw the queue, and left the callback there.
    await Bun.sleep(1300);
    expect(fake.originates).toHaveLength(0);
    moveTo(MONDAY_0900 + 1000);
    // No wake: the dialer's own look finds it due.
    await waitFor(() => fake.originates.length === 1, "the Originate at the opening");
    expect(await done(posted.body.id)).toMatchObject({ outcome: "answered" });
  });

  test("an override forcing the office open (the schedules API) lets a callback dial at once", async () => {
    const { callback, ready, fake, done, schedules, clock } = office();
    await ready();
    const waiting = await callback("+375291234567");
    expect(Date.parse(waiting.body.not_before)).toBe(MONDAY_0900);
    schedules.setOverride("office", "open", "next_change", clock());
    const now = await callback("+375291234568");
    expect(now.status).toBe(202);
    expect(Date.parse(now.body.not_before)).toBeLessThan(MONDAY_0900);
    expect(await done(now.body.id)).toMatchObject({ outcome: "answered" });
    expect(fake.originates).toHaveLength(1);
    expect(fake.originates[0]!.get("Channel")).toContain("375291234568");
  });
});

describe("scheduleHours", () => {
  const { log } = captureLog();
  const schedules = () => new ScheduleService({ snapshot: () => ({ config: parseConfig(SCHEDULES, "schedules.yaml") }), clock: () => MONDAY_0830, log });

  test("closed: the opening; forced closed until cleared: asked again a minute on, not refused; an unknown schedule never opens", () => {
    const service = schedules();
    const hours = scheduleHours(service);
    expect(hours.isOpen("office", MONDAY_0830)).toBe(false);
    expect(hours.nextOpening("office", MONDAY_0830)).toBe(MONDAY_0900);
    expect(hours.isOpen("office", MONDAY_0900)).toBe(true);
    service.setOverride("office", "closed", "cleared", MONDAY_0830);
    expect(hours.isOpen("office", MONDAY_0900)).toBe(false);
    expect(hours.nextOpening("office", MONDAY_0900)).toBe(MONDAY_0900 + FORCED_CLOSED_RECHECK_MS);
    expect(hours.isOpen("gone", MONDAY_0900)).toBe(false);
    expect(hours.nextOpening("gone", MONDAY_0900)).toBeUndefined();
  });
});
