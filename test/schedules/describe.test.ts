import { expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import { closedNote, describeSchedules, weekSummary } from "../../src/schedules/describe.ts";
import { formatLocal, parseTypedTime, resolveTypedTime } from "../../src/schedules/local-time.ts";

test("the week in a line: equal neighbours grouped, a run through Sunday into Monday kept whole", () => {
  const nine = [[540, 1080]] as const;
  const night = [[1320, 1800]] as const;
  expect(weekSummary([nine, nine, nine, nine, nine, [], []].map((d) => [...d]))).toBe("mon-fri 09:00-18:00");
  expect(weekSummary([night, [], [], [], night, night, night].map((d) => [...d]))).toBe("fri-mon 22:00-06:00");
  expect(weekSummary([[], [], [], [], [], [], []])).toBe("no weekly hours");
});

test("ivr check's section: a local --at read in each schedule's own zone, and who uses each", () => {
  const config = parseConfig(
    `
schedules:
  berlin: { timezone: Europe/Berlin, hours: { mon-fri: ["09:00-18:00"] } }
  bangkok: { timezone: Asia/Bangkok, hours: { mon-fri: ["09:00-18:00"] } }
default: { schedule: berlin }
dids: { "0212345678": { schedule: bangkok } }
`,
    "ivr.yaml",
  );
  expect(describeSchedules(config, parseTypedTime("2026-12-30T17:30")!)).toEqual([
    "",
    "Schedules (at 2026-12-30T17:30 in each schedule's zone; overrides are not included):",
    "  berlin   Europe/Berlin, mon-fri 09:00-18:00",
    "           2026-12-30 17:30 +01:00: open (wed 09:00-18:00); closes 2026-12-30 18:00 +01:00",
    "           used by the default menu (any DID without an entry)",
    "  bangkok  Asia/Bangkok, mon-fri 09:00-18:00",
    "           2026-12-30 17:30 +07:00: open (wed 09:00-18:00); closes 2026-12-30 18:00 +07:00",
    "           used by DID 0212345678",
  ]);
  expect(describeSchedules({}, parseTypedTime("2026-12-30")!)).toEqual([]);
});

test("typed times: local, Z, offsets; impossible dates refused", () => {
  expect(parseTypedTime("2026-12-31T18:05")).toEqual({ kind: "local", ms: Date.UTC(2026, 11, 31, 18, 5), text: "2026-12-31T18:05" });
  expect(parseTypedTime("2026-12-31 18:05:30")).toMatchObject({ kind: "local", ms: Date.UTC(2026, 11, 31, 18, 5, 30) });
  expect(parseTypedTime("2026-12-31T17:05Z")).toEqual({ kind: "instant", ms: Date.UTC(2026, 11, 31, 17, 5) });
  expect(parseTypedTime("2026-12-31T18:05+01:00")).toEqual({ kind: "instant", ms: Date.UTC(2026, 11, 31, 17, 5) });
  expect(parseTypedTime("2026-12-31T12:05-0530")).toEqual({ kind: "instant", ms: Date.UTC(2026, 11, 31, 17, 35) });
  for (const bad of ["2026-02-29", "2026-12-31T24:00", "31.12.2026", "tomorrow"]) expect(parseTypedTime(bad)).toBeUndefined();
});

test("--at 02:30 on the Berlin change days: the skipped one is the jump (03:00 CEST), the repeated one its first pass", () => {
  const { schedules } = parseConfig("schedules:\n  s: { timezone: Europe/Berlin }\n", "ivr.yaml");
  const berlin = schedules!.s!;
  expect(new Date(resolveTypedTime(parseTypedTime("2026-03-29T02:30")!, berlin)).toISOString()).toBe("2026-03-29T01:00:00.000Z");
  expect(new Date(resolveTypedTime(parseTypedTime("2026-10-25T02:30")!, berlin)).toISOString()).toBe("2026-10-25T00:30:00.000Z");
  expect(new Date(resolveTypedTime(parseTypedTime("2026-10-25T03:30")!, berlin)).toISOString()).toBe("2026-10-25T02:30:00.000Z");
  expect(formatLocal(berlin, Date.UTC(2026, 2, 29, 1, 0))).toBe("2026-03-29 03:00 +02:00");
});

test("each DID's line in ivr check says what its callers get outside hours", () => {
  const config = parseConfig(
    `
schedules: { office: { timezone: UTC } }
default: { goodbye_sound: vm-goodbye }
dids:
  "1": { schedule: office }
  "2": { schedule: office, closed: { sound: custom/closed, then: voicemail 100@default } }
  "3": {}
`,
    "ivr.yaml",
  );
  expect(closedNote(config, "1")).toBe("outside schedule office: vm-goodbye, then hang up");
  expect(closedNote(config, "2")).toBe("outside schedule office: custom/closed, then voicemail 100@default");
  expect(closedNote(config, "3")).toBeUndefined();
  expect(closedNote(config, "default")).toBeUndefined();
});
