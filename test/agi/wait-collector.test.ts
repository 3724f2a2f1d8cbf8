import { afterEach, beforeEach, expect, jest, test } from "bun:test";
import { LONG_EXEC_MS, WaitCollector } from "../../src/agi/stdio.ts";

// A per-call process waiting in Queue or Dial gives its garbage back; a prompt reply never
// waits for a collection. Fake timers: nothing here depends on the machine's speed.

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

function collector() {
  let collections = 0;
  return { waits: new WaitCollector(() => collections++), collections: () => collections };
}

test("an EXEC still unanswered after LONG_EXEC_MS: one collection", () => {
  const { waits, collections } = collector();
  waits.sent("EXEC Queue 10001\n");
  jest.advanceTimersByTime(LONG_EXEC_MS - 1);
  expect(collections()).toBe(0);
  jest.advanceTimersByTime(1);
  expect(collections()).toBe(1);
  jest.advanceTimersByTime(60_000);
  expect(collections()).toBe(1);
});

test("an EXEC answered in time, or any other command however long: no collection", () => {
  const { waits, collections } = collector();
  waits.sent("EXEC Dial PJSIP/150,30\n");
  jest.advanceTimersByTime(LONG_EXEC_MS / 2);
  waits.received();
  waits.sent("STREAM FILE custom/welcome \"0123456789*#\"\n");
  waits.sent("WAIT FOR DIGIT 5000\n");
  jest.advanceTimersByTime(60_000);
  expect(collections()).toBe(0);
});

test("each long EXEC of a call gets its collection", () => {
  const { waits, collections } = collector();
  for (const command of ["EXEC Queue 10001\n", "exec Dial PJSIP/150\n"]) {
    waits.sent(command);
    jest.advanceTimersByTime(LONG_EXEC_MS);
    waits.received();
  }
  expect(collections()).toBe(2);
});
