import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import { errorsOf } from "../helpers/config-errors.ts";
import { schedule } from "../helpers/schedules.ts";

describe("schedules: accepted and read", () => {
  test("days, ranges and lists of days; one range or several; closed; a zone's name in any case", () => {
    const s = schedule(`
timezone: europe/berlin
hours:
  mon-wed: ["09:00-12:00", "13:00-17:30"]
  thu,fri: "08:00-16:00"
  sat: closed
  sun: ["22:00-02:00"]
holidays: ["12-25", "2026-04-03", "12-25"]
exceptions:
  "12-31": "09:00-14:00"
  "2026-12-24": []
`);
    expect(s.timezone).toBe("Europe/Berlin");
    expect(s.week).toEqual([
      [[540, 720], [780, 1050]],
      [[540, 720], [780, 1050]],
      [[540, 720], [780, 1050]],
      [[480, 960]],
      [[480, 960]],
      [],
      [[1320, 1560]],
    ]);
    expect(s.holidays).toEqual(["12-25", "2026-04-03"]);
    expect(s.exceptions).toEqual({ "12-31": [[540, 840]], "2026-12-24": [] });
  });

  test("a range of days wraps round the week; overlapping ranges are merged; 24:00 ends the day", () => {
    const s = schedule(`timezone: UTC\nhours: { fri-mon: ["10:00-12:00", "11:00-13:00", "20:00-24:00"] }`);
    const hours: Array<[number, number]> = [[600, 780], [1200, 1440]];
    expect(s.week).toEqual([hours, [], [], [], hours, hours, hours]);
  });

  test("the zone's offsets around now are kept with the config, as plain data", () => {
    const s = schedule("timezone: Europe/Berlin");
    const year = new Date().getUTCFullYear();
    expect(s.zone.fromYear).toBe(year - 1);
    expect(s.zone.toYear).toBe(year + 6);
    expect(s.zone.changes.length).toBe(14); // two changes a year
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe("schedules: mistakes, each with its position", () => {
  const config = (body: string) => `schedules:\n  office:\n${body}`;

  test("an unknown time zone", () => {
    expect(errorsOf(config("    timezone: Europe/Berlinn\n"))).toEqual([
      'ivr.yaml:3:15: schedules.office.timezone: unknown time zone "Europe/Berlinn": an IANA name such as Europe/Berlin, Asia/Bangkok or UTC',
    ]);
  });

  test("a missing time zone", () => {
    expect(errorsOf(config('    hours: { mon: "09:00-17:00" }\n'))).toEqual(["ivr.yaml:3:5: schedules.office.timezone: is required"]);
  });

  test("a day that is not one, at its key", () => {
    expect(errorsOf(config('    timezone: UTC\n    hours:\n      mon-fry: ["09:00-17:00"]\n'))).toEqual([
      "ivr.yaml:5:7: schedules.office.hours.mon-fry: a day is mon, tue, wed, thu, fri, sat or sun; a range mon-fri; a list mon,wed,fri",
    ]);
  });

  test("a day given twice", () => {
    expect(errorsOf(config('    timezone: UTC\n    hours:\n      mon-fri: ["09:00-17:00"]\n      fri: ["09:00-15:00"]\n'))).toEqual([
      'ivr.yaml:6:12: schedules.office.hours.fri: fri is also in "mon-fri": give each day once',
    ]);
  });

  test("time ranges that are not, each at its item", () => {
    expect(errorsOf(config('    timezone: UTC\n    hours:\n      mon: ["09:00-17:00", "9-17", "10:00-10:00"]\n      tue: "25:00-26:00"\n      wed: { from: "09:00" }\n'))).toEqual([
      'ivr.yaml:5:28: schedules.office.hours.mon.1: "9-17" is not a time range such as 09:00-18:00 (24-hour clock, 24:00 for midnight at the end)',
      'ivr.yaml:5:36: schedules.office.hours.mon.2: "10:00-10:00" is empty: start and end are the same time (00:00-24:00 is the whole day)',
      'ivr.yaml:6:12: schedules.office.hours.tue: "25:00-26:00" is not a time range such as 09:00-18:00 (24-hour clock, 24:00 for midnight at the end)',
      'ivr.yaml:7:12: schedules.office.hours.wed: must be a list of time ranges such as ["09:00-18:00"], one range, or closed',
    ]);
  });

  test("dates that do not exist", () => {
    expect(errorsOf(config('    timezone: UTC\n    holidays: ["12-32", "2026-02-29", "02-29"]\n    exceptions:\n      "2026-13-01": closed\n'))).toEqual([
      "ivr.yaml:4:16: schedules.office.holidays.0: a date is MM-DD (every year, e.g. 12-25) or YYYY-MM-DD (once, e.g. 2026-12-24)",
      "ivr.yaml:4:25: schedules.office.holidays.1: a date is MM-DD (every year, e.g. 12-25) or YYYY-MM-DD (once, e.g. 2026-12-24)",
      "ivr.yaml:6:7: schedules.office.exceptions.2026-13-01: a date is MM-DD (every year, e.g. 12-25) or YYYY-MM-DD (once, e.g. 2026-12-24)",
    ]);
  });

  test("a date that is both a holiday and an exception", () => {
    expect(errorsOf(config('    timezone: UTC\n    holidays: ["02-29"]\n    exceptions:\n      "02-29": closed\n'))).toEqual([
      "ivr.yaml:6:16: schedules.office.exceptions.02-29: 02-29 is also a holiday: give a date one or the other",
    ]);
  });

  test("a schedule name that cannot name a dialplan context or a URL", () => {
    expect(errorsOf("schedules:\n  front desk:\n    timezone: UTC\n")).toEqual(["ivr.yaml:2:3: schedules.front desk: a schedule name is letters, digits, _ and - (e.g. office)"]);
  });

  test("an unknown key, with a suggestion", () => {
    expect(errorsOf(config("    timezone: UTC\n    holiday: [12-25]\n"))).toEqual(['ivr.yaml:4:5: schedules.office.holiday: unknown key "holiday" (did you mean "holidays"?)']);
  });

  test("a DID, the default menu or an enterprise naming a schedule that does not exist", () => {
    const text = `
schedules:
  office: { timezone: UTC }
default:
  schedule: ofice
dids:
  "0212345678":
    schedule: night
smart:
  enterprises:
    "0367":
      token: t0367-0123456789abcdef
      schedule: offce
`;
    expect(errorsOf(text)).toEqual([
      'ivr.yaml:5:13: default.schedule: no schedule "ofice" under schedules: (there are: office)',
      'ivr.yaml:8:15: dids.0212345678.schedule: no schedule "night" under schedules: (there are: office)',
      'ivr.yaml:13:17: smart.enterprises.0367.schedule: no schedule "offce" under schedules: (there are: office)',
    ]);
  });
});

describe("closed: what a closed line gets", () => {
  test("each kind of then", () => {
    const config = parseConfig(
      `
schedules: { office: { timezone: UTC } }
default: { schedule: office, closed: { sound: custom/closed } }
dids:
  "1": { closed: { then: queue 10009 } }
  "2": { closed: { then: extension 150 } }
  "3": { closed: { then: voicemail 100@default, voicemail_options: u } }
  "4": { closed: { then: hangup } }
`,
      "ivr.yaml",
    );
    expect(config.default?.closed).toEqual({ sound: "custom/closed" });
    expect(Object.values(config.dids!).map((d) => d?.closed)).toEqual([
      { then: { kind: "queue", queue: "10009" } },
      { then: { kind: "extension", extension: "150" } },
      { then: { kind: "voicemail", mailbox: "100@default" }, voicemail_options: "u" },
      { then: { kind: "hangup" } },
    ]);
  });

  test("mistakes, with positions", () => {
    const text = `
dids:
  "1": { closed: { then: queue } }
  "2": { closed: { then: extension 15a } }
  "3": { closed: { then: voicemail 100@def ault } }
  "4": { closed: { then: transfer 150 } }
  "5": { closed: { sound: closed.wav } }
`;
    expect(errorsOf(text)).toEqual([
      "ivr.yaml:3:26: dids.1.closed.then: must be hangup, queue <name>, extension <number> or voicemail <box>@<context> (e.g. voicemail 100@default)",
      "ivr.yaml:4:26: dids.2.closed.then: an extension is digits (and * #), e.g. extension 150",
      "ivr.yaml:5:26: dids.3.closed.then: must be hangup, queue <name>, extension <number> or voicemail <box>@<context> (e.g. voicemail 100@default)",
      "ivr.yaml:6:26: dids.4.closed.then: must be hangup, queue <name>, extension <number> or voicemail <box>@<context> (e.g. voicemail 100@default)",
      "ivr.yaml:7:27: dids.5.closed.sound: give the sound name without its extension (.wav)",
    ]);
  });
});
