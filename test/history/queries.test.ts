import { describe, expect, test } from "bun:test";
import { answeredExtension, callerFacts, callerFactsPlan, callStats, getCall, lastCallerName, listCalls } from "../../src/history/queries.ts";
import { insertCall } from "../../src/history/record.ts";
import { pruneIfDue } from "../../src/history/retention.ts";
import { smartDecisions } from "../../src/history/schema.ts";
import { callRow, tempHistory } from "../helpers/history.ts";

const CLIENT = "+375291234567";
/** A caller known by E.164 (the raw spelling of these rows is unset). */
const e164 = (phone: string) => ({ e164: phone, raw: phone });

describe("what Smart Redirect asks the history", () => {
  const history = tempHistory();
  const at = (minute: number) => 1_795_000_000_000 + minute * 60_000;
  insertCall(history, callRow({ externalNumber: CLIENT, startedAt: at(1), status: "answered", answeredExtension: "152", callerName: "+375291234567" }));
  insertCall(history, callRow({ externalNumber: CLIENT, startedAt: at(2), status: "busy", answeredExtension: null, callerName: "Alexei" }));
  insertCall(history, callRow({ externalNumber: CLIENT, startedAt: at(3), status: "answered", answeredExtension: "150", callerName: null }));
  insertCall(history, callRow({ externalNumber: CLIENT, startedAt: at(4), status: "abandoned", answeredExtension: null }));
  insertCall(history, callRow({ externalNumber: "+375441112233", startedAt: at(5), status: "answered", answeredExtension: "151" }));

  test("the last and the first extension that answered this number (not busy or abandoned calls)", () => {
    expect(answeredExtension(history, e164(CLIENT), "last")).toBe("150");
    expect(answeredExtension(history, e164(CLIENT), "first")).toBe("152");
    expect(answeredExtension(history, e164("+375000000000"), "last")).toBeUndefined();
  });

  test("the last caller name that is a name, not the number again", () => {
    expect(lastCallerName(history, e164(CLIENT))).toBe("Alexei");
    expect(lastCallerName(history, e164("+375441112233"))).toBeUndefined();
  });
});

describe("a caller's name and last answering extension in one statement", () => {
  const history = tempHistory();
  const at = (minute: number) => 1_795_000_000_000 + minute * 60_000;
  const NATIONAL = "80291112233";
  // One caller stored both ways: by E.164 (a DID with a country) and by spelling only (a DID without).
  insertCall(history, callRow({ externalNumber: "+375291112233", externalNumberRaw: NATIONAL, startedAt: at(1), status: "answered", answeredExtension: "150", callerName: "Ivan" }));
  insertCall(history, callRow({ externalNumber: null, externalNumberRaw: NATIONAL, startedAt: at(2), status: "answered", answeredExtension: "151", callerName: null }));
  insertCall(history, callRow({ externalNumber: null, externalNumberRaw: NATIONAL, startedAt: at(3), status: "busy", answeredExtension: null, callerName: "Ivan P." }));
  // A tie between the two forms: the E.164 row wins, as in answeredExtension.
  insertCall(history, callRow({ externalNumber: "+375442223344", startedAt: at(4), status: "answered", answeredExtension: "152", callerName: "+375442223344" }));
  insertCall(history, callRow({ externalNumber: null, externalNumberRaw: "80442223344", startedAt: at(4), status: "answered", answeredExtension: "153" }));
  insertCall(history, callRow({ externalNumber: CLIENT, startedAt: at(5), status: "abandoned", answeredExtension: null }));

  const callers = [
    { e164: "+375291112233", raw: NATIONAL },
    { e164: undefined, raw: NATIONAL },
    { e164: "+375291112233", raw: "+375291112233" },
    { e164: "+375442223344", raw: "80442223344" },
    { e164: CLIENT, raw: CLIENT },
    { e164: "+375000000000", raw: "80000000000" },
  ];

  test("answers what lastCallerName and answeredExtension(last) answer, for every caller", () => {
    for (const caller of callers) {
      expect(callerFacts(history, caller)).toEqual({ name: lastCallerName(history, caller), lastAnswered: answeredExtension(history, caller, "last") });
    }
  });

  test("the newer of the two forms, E.164 on a tie; names that are only the number again are no names", () => {
    expect(callerFacts(history, callers[0]!)).toEqual({ name: "Ivan P.", lastAnswered: "151" });
    expect(callerFacts(history, callers[3]!)).toEqual({ name: undefined, lastAnswered: "152" });
    expect(callerFacts(history, callers[5]!)).toEqual({ name: undefined, lastAnswered: undefined });
  });

  test("each fact is one seek in an index that holds it: by E.164 no table row is read, by spelling only rows without an E.164 form are searched", () => {
    const searches = callerFactsPlan(history).filter((step) => step.startsWith("SEARCH"));
    expect(searches).toEqual([
      "SEARCH calls USING COVERING INDEX calls_answered_by_number (external_number=?)",
      "SEARCH calls USING INDEX calls_unnormalized_number (external_number_raw=?)",
      "SEARCH calls USING COVERING INDEX calls_named_by_number (external_number=?)",
      "SEARCH calls USING INDEX calls_unnormalized_number (external_number_raw=?)",
    ]);
  });

  test("a history not yet migrated to that index (opened read-only before ivr serve ran) is still searched by spelling", () => {
    const old = tempHistory();
    for (const index of ["calls_answered_by_number", "calls_named_by_number", "calls_unnormalized_number"]) old.sqlite.run(`DROP INDEX ${index}`);
    insertCall(old, callRow({ externalNumber: null, externalNumberRaw: NATIONAL, startedAt: at(2), status: "answered", answeredExtension: "151", callerName: "Ivan" }));
    expect(callerFacts(old, { e164: undefined, raw: NATIONAL })).toEqual({ name: "Ivan", lastAnswered: "151" });
    expect(answeredExtension(old, { e164: "+375291112233", raw: NATIONAL }, "first")).toBe("151");
  });
});

describe("listing and statistics", () => {
  const history = tempHistory();
  const ids = [
    insertCall(history, callRow({ did: "0212345678", status: "answered", externalNumber: CLIENT, waitSeconds: 4, talkSeconds: 60 })),
    insertCall(history, callRow({ did: "0212345678", status: "busy" })),
    insertCall(history, callRow({ did: "0298765432", status: "answered", waitSeconds: 8, talkSeconds: 30 })),
    insertCall(history, callRow({ did: "0298765432", status: "abandoned", externalNumber: CLIENT })),
  ];

  test("newest first, filtered, paged with before", () => {
    expect(listCalls(history).map((r) => r.id)).toEqual([...ids].reverse());
    const [first, second, third, fourth] = ids as [number, number, number, number];
    expect(listCalls(history, { phone: { e164: [CLIENT], raw: "80291234567" } }).map((r) => r.id)).toEqual([fourth, first]);
    expect(listCalls(history, { did: "0298765432", status: "answered" }).map((r) => r.id)).toEqual([third]);
    expect(listCalls(history, { limit: 2 }).map((r) => r.id)).toEqual([fourth, third]);
    expect(listCalls(history, { limit: 2, before: third }).map((r) => r.id)).toEqual([second, first]);
    expect(getCall(history, ids[1]!)?.status).toBe("busy");
    expect(getCall(history, 999_999)).toBeUndefined();
  });

  test("stats: totals by status and DID, answer rate, average wait and talk of answered calls", () => {
    const stats = callStats(history, 0, Number.MAX_SAFE_INTEGER);
    expect(stats).toMatchObject({
      total: 4,
      byStatus: { answered: 2, busy: 1, abandoned: 1 },
      answerRate: 50,
      averageWaitSeconds: 6,
      averageTalkSeconds: 45,
    });
    expect(stats.byDid).toEqual([
      { did: "0212345678", total: 2, answered: 1 },
      { did: "0298765432", total: 2, answered: 1 },
    ]);
    expect(callStats(history, 0, 1)).toMatchObject({ total: 0, answerRate: null, averageWaitSeconds: null });
  });
});

describe("retention", () => {
  const DAY = 86_400_000;
  test("rows older than retention_days go, at most once a day; 0 keeps everything", () => {
    const history = tempHistory();
    const now = 1_800_000_000_000;
    insertCall(history, callRow({ startedAt: now - 400 * DAY }));
    insertCall(history, callRow({ startedAt: now - 10 * DAY }));
    history.db.insert(smartDecisions).values({ at: now - 400 * DAY, via: "http", enterprise: "0367", mode: "off", outcome: "off", latencyMs: 0, cached: false }).run();

    expect(pruneIfDue(history, 0, now)).toBe(0);
    expect(pruneIfDue(history, 365, now)).toBe(2);
    expect(listCalls(history)).toHaveLength(1);
    insertCall(history, callRow({ startedAt: now - 400 * DAY }));
    expect(pruneIfDue(history, 365, now + DAY / 2)).toBe(0); // pruned less than a day ago
    expect(pruneIfDue(history, 365, now + DAY + 1)).toBe(1);
  });

  test("bounded pruning (a per-call process) goes on where the last one stopped, and is marked done only when done", () => {
    const history = tempHistory();
    const now = 1_800_000_000_000;
    insertCall(history, callRow({ startedAt: now - 400 * DAY }));
    history.db.insert(smartDecisions).values({ at: now - 400 * DAY, via: "http", enterprise: "0367", mode: "off", outcome: "off", latencyMs: 0, cached: false }).run();
    expect(pruneIfDue(history, 365, now, 1)).toBe(1); // the calls; the decisions left for the next call
    expect(pruneIfDue(history, 365, now, 1)).toBe(1);
    insertCall(history, callRow({ startedAt: now - 400 * DAY }));
    expect(pruneIfDue(history, 365, now + 1000, 1)).toBe(0); // done: not again today
  });
});
