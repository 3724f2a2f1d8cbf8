import { describe, expect, test } from "bun:test";
import { nextChange, nextOpening, openAt, stateAt } from "../../src/schedules/schedule.ts";
import { at, iso, schedule } from "../helpers/schedules.ts";

// 2026-01-05 is a Monday. Europe/Berlin: CET (+01:00) until 2026-03-29 01:00Z, when clocks go
// from 02:00 to 03:00 CEST (+02:00); back from 03:00 to 02:00 CET on 2026-10-25 at 01:00Z.
const office = schedule(`
timezone: Europe/Berlin
hours:
  mon-fri: ["09:00-13:00", "14:00-18:00"]
  sat: "10:00-14:00"
holidays: ["12-25", "01-01", "2026-04-03"]
exceptions:
  "12-31": ["09:00-14:00"]
  "2026-12-24": closed
`);

describe("weekly hours, holidays and exceptions", () => {
  test("open within the hours, with the interval that opened it; closed outside, saying why", () => {
    expect(openAt(office, at("2026-01-05T08:00Z"))).toEqual({ open: true, reason: "mon 09:00-13:00" });
    expect(openAt(office, at("2026-01-05T12:30Z"))).toEqual({ open: false, reason: "outside hours (mon 09:00-13:00, 14:00-18:00)" });
    expect(openAt(office, at("2026-01-11T12:00Z"))).toEqual({ open: false, reason: "no hours on sun" });
    expect(openAt(office, at("2026-01-10T12:00Z"))).toEqual({ open: true, reason: "sat 10:00-14:00" });
  });

  test("the boundaries: open at the first minute, closed at the end minute", () => {
    expect(openAt(office, at("2026-01-05T07:59:59Z")).open).toBe(false);
    expect(openAt(office, at("2026-01-05T08:00Z")).open).toBe(true);
    expect(openAt(office, at("2026-01-05T16:59:59Z")).open).toBe(true);
    expect(openAt(office, at("2026-01-05T17:00Z")).open).toBe(false);
  });

  test("until: the next change, across the lunch break, the night and the weekend", () => {
    expect(iso(stateAt(office, at("2026-01-05T08:00Z")).until)).toBe("2026-01-05T12:00Z");
    expect(iso(nextChange(office, at("2026-01-05T12:00Z")))).toBe("2026-01-05T13:00Z");
    expect(iso(nextChange(office, at("2026-01-05T17:00Z")))).toBe("2026-01-06T08:00Z");
    expect(iso(nextChange(office, at("2026-01-10T13:00Z")))).toBe("2026-01-12T08:00Z");
  });

  test("a yearly holiday and a dated one close the whole day", () => {
    expect(openAt(office, at("2026-12-25T10:00Z"))).toEqual({ open: false, reason: "holiday 12-25" });
    expect(openAt(office, at("2026-04-03T10:00Z"))).toEqual({ open: false, reason: "holiday 2026-04-03" });
    expect(openAt(office, at("2027-04-02T10:00Z")).open).toBe(true); // 2026-04-03 was once only
  });

  test("New Year's Eve: other hours, then the holiday and the weekend (ivr check --at 2026-12-31T18:05)", () => {
    expect(openAt(office, at("2026-12-31T10:00Z"))).toEqual({ open: true, reason: "exception 12-31 09:00-14:00" });
    const state = stateAt(office, at("2026-12-31T17:05Z"));
    expect(state.open).toBe(false);
    expect(state.reason).toBe("exception 12-31: outside 09:00-14:00");
    // 01-01 (a Friday) is a holiday; Saturday 2027-01-02 opens at 10:00 CET.
    expect(iso(state.until)).toBe("2027-01-02T09:00Z");
  });

  test("a dated exception wins over a yearly holiday or exception", () => {
    const s = schedule(`
timezone: UTC
hours: { mon-sun: ["09:00-17:00"] }
holidays: ["12-24"]
exceptions: { "2026-12-24": ["10:00-12:00"], "12-31": closed, "2026-12-31": ["08:00-09:00"] }
`);
    expect(openAt(s, at("2026-12-24T11:00Z"))).toEqual({ open: true, reason: "exception 2026-12-24 10:00-12:00" });
    expect(openAt(s, at("2027-12-24T11:00Z"))).toEqual({ open: false, reason: "holiday 12-24" });
    expect(openAt(s, at("2026-12-31T08:30Z")).open).toBe(true);
    expect(openAt(s, at("2027-12-31T08:30Z"))).toEqual({ open: false, reason: "exception 12-31: closed all day" });
  });

  test("nextOpening: the instant itself when open, else the next opening", () => {
    expect(iso(nextOpening(office, at("2026-01-05T08:30Z")))).toBe("2026-01-05T08:30Z");
    expect(iso(nextOpening(office, at("2026-01-05T20:00Z")))).toBe("2026-01-06T08:00Z");
    // A callback asked for on Christmas Eve evening (closed that day) is placed on Saturday 10:00 CET, after Christmas Day.
    expect(iso(nextOpening(office, at("2026-12-24T19:00Z")))).toBe("2026-12-26T09:00Z");
  });

  test("a schedule that never changes has no next change", () => {
    const always = schedule(`timezone: Europe/Berlin\nhours: { mon-sun: ["00:00-24:00"] }`);
    expect(stateAt(always, at("2026-03-29T00:30Z"))).toEqual({ open: true, reason: "sun 00:00-24:00", until: null });
    const never = schedule("timezone: Europe/Berlin");
    expect(stateAt(never, at("2026-06-01T00:00Z"))).toEqual({ open: false, reason: "no hours on mon", until: null });
    expect(nextOpening(never, at("2026-06-01T00:00Z"))).toBeNull();
  });

  test("a zone without daylight saving (Asia/Bangkok, +07:00)", () => {
    const bangkok = schedule(`timezone: Asia/Bangkok\nhours: { mon-fri: ["08:30-17:30"] }`);
    expect(openAt(bangkok, at("2026-07-06T01:30Z")).open).toBe(true);
    expect(iso(nextChange(bangkok, at("2026-07-06T01:30Z")))).toBe("2026-07-06T10:30Z");
  });

  test("years beyond the offsets kept with the config are read from Intl", () => {
    // 2041-07-01 is a Monday: 09:00 CEST is 07:00Z.
    expect(openAt(office, at("2041-07-01T06:59Z")).open).toBe(false);
    expect(openAt(office, at("2041-07-01T07:00Z")).open).toBe(true);
    expect(iso(nextChange(office, at("2041-07-01T06:00Z")))).toBe("2041-07-01T07:00Z");
  });
});

describe("intervals past midnight belong to the day they start on", () => {
  const night = schedule(`
timezone: UTC
hours:
  fri: ["22:00-02:00"]
  sat: ["09:00-12:00"]
holidays: ["2026-01-17"]
`);

  test("Friday 22:00 to Saturday 02:00", () => {
    expect(openAt(night, at("2026-01-09T21:59Z")).open).toBe(false);
    expect(openAt(night, at("2026-01-09T23:00Z"))).toEqual({ open: true, reason: "fri 22:00-02:00" });
    expect(openAt(night, at("2026-01-10T01:30Z"))).toEqual({ open: true, reason: "fri 22:00-02:00" });
    expect(openAt(night, at("2026-01-10T02:00Z")).open).toBe(false);
    expect(iso(nextChange(night, at("2026-01-09T23:00Z")))).toBe("2026-01-10T02:00Z");
  });

  test("a holiday on the next day closes it at midnight", () => {
    expect(openAt(night, at("2026-01-16T23:00Z")).open).toBe(true);
    expect(iso(nextChange(night, at("2026-01-16T23:00Z")))).toBe("2026-01-17T00:00Z");
    expect(openAt(night, at("2026-01-17T01:00Z"))).toEqual({ open: false, reason: "holiday 2026-01-17" });
  });

  test("hours that meet at midnight are one opening: until is the real end", () => {
    const s = schedule(`timezone: UTC\nhours: { mon: ["18:00-24:00"], tue: ["00:00-03:00", "03:00-04:00"] }`);
    expect(iso(stateAt(s, at("2026-01-05T19:00Z")).until)).toBe("2026-01-06T04:00Z");
  });
});

describe("Europe/Berlin across daylight saving changes", () => {
  test("spring: a 02:30 that does not exist opens at the jump (03:00 CEST)", () => {
    const s = schedule(`timezone: Europe/Berlin\nhours: { sun: ["02:30-05:00"] }`);
    expect(openAt(s, at("2026-03-29T00:59:59Z")).open).toBe(false); // 01:59:59 CET
    expect(iso(nextChange(s, at("2026-03-29T00:00Z")))).toBe("2026-03-29T01:00Z");
    expect(stateAt(s, at("2026-03-29T01:00Z"))).toEqual({ open: true, reason: "sun 02:30-05:00", until: new Date("2026-03-29T03:00Z") });
    // A week later, an ordinary Sunday: 02:30 CEST.
    expect(iso(nextChange(s, at("2026-03-29T03:00Z")))).toBe("2026-04-05T00:30Z");
  });

  test("spring: hours wholly inside the skipped hour do not happen that day", () => {
    const s = schedule(`timezone: Europe/Berlin\nhours: { sun: ["02:10-02:40"] }`);
    expect(iso(nextChange(s, at("2026-03-28T12:00Z")))).toBe("2026-04-05T00:10Z");
  });

  test("spring: office hours the day after are in CEST", () => {
    expect(iso(nextChange(office, at("2026-03-27T17:00Z")))).toBe("2026-03-28T09:00Z"); // Saturday 10:00 CET
    expect(iso(nextChange(office, at("2026-03-28T13:00Z")))).toBe("2026-03-30T07:00Z"); // Monday 09:00 CEST
  });

  test("autumn: a 02:30 that happens twice closes at the first and the hour lived again is open again", () => {
    const s = schedule(`timezone: Europe/Berlin\nhours: { sun: ["00:00-02:30"] }`);
    const opens = at("2026-10-24T22:00Z"); // Sunday 00:00 CEST
    expect(iso(nextChange(s, opens))).toBe("2026-10-25T00:30Z"); // the first 02:30 (CEST)
    expect(openAt(s, at("2026-10-25T00:45Z")).open).toBe(false); // 02:45 CEST
    expect(iso(nextChange(s, at("2026-10-25T00:30Z")))).toBe("2026-10-25T01:00Z"); // back to 02:00 CET
    expect(openAt(s, at("2026-10-25T01:10Z"))).toEqual({ open: true, reason: "sun 00:00-02:30" });
    expect(iso(nextChange(s, at("2026-10-25T01:00Z")))).toBe("2026-10-25T01:30Z"); // the second 02:30 (CET)
  });

  test("autumn: an opening at 02:30 opens at the first, pauses for the repeated 02:00-02:30, and closes in CET", () => {
    const s = schedule(`timezone: Europe/Berlin\nhours: { sun: ["02:30-04:00"] }`);
    const changes: Array<string | null> = [];
    let t = at("2026-10-24T12:00Z");
    for (let i = 0; i < 4; i++) {
      const next = nextChange(s, t)!;
      changes.push(`${iso(next)} ${openAt(s, next).open ? "open" : "closed"}`);
      t = next.getTime();
    }
    expect(changes).toEqual(["2026-10-25T00:30Z open", "2026-10-25T01:00Z closed", "2026-10-25T01:30Z open", "2026-10-25T03:00Z closed"]);
  });

  test("autumn: office hours are 09:00 CET on the Monday after", () => {
    expect(iso(nextChange(office, at("2026-10-24T12:00Z")))).toBe("2026-10-26T08:00Z");
  });
});

describe("nextChange agrees with openAt minute by minute", () => {
  const tricky = schedule(`
timezone: Europe/Berlin
hours:
  mon-fri: ["08:00-12:00", "13:00-17:00"]
  sat: ["22:00-02:30"]
  sun: ["01:00-03:30", "23:00-24:00"]
holidays: ["2026-10-26"]
`);
  test.each([
    ["the spring change", "2026-03-27T00:00Z"],
    ["the autumn change", "2026-10-23T00:00Z"],
  ])("%s", (_name, from) => {
    const start = at(from);
    const end = start + 5 * 86_400_000;
    let t = start;
    let state = openAt(tricky, t).open;
    let next = nextChange(tricky, t)?.getTime() ?? Infinity;
    const mismatches: string[] = [];
    for (let m = start + 60_000; m < end; m += 60_000) {
      if (m >= next) {
        expect(openAt(tricky, next).open).toBe(!state);
        state = !state;
        t = next;
        next = nextChange(tricky, t)?.getTime() ?? Infinity;
      }
      if (openAt(tricky, m).open !== state) mismatches.push(new Date(m).toISOString());
    }
    expect(mismatches).toEqual([]);
  });
});
