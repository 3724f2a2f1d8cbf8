import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { IvrCall } from "../../src/ivr/run.ts";
import { IVR_FIXTURES, replayIvr } from "../helpers/ivr-replay.ts";
import { loadTranscript } from "../helpers/transcript.ts";

type Expected = Partial<Omit<IvrCall, "outcome">> & { outcome: Partial<IvrCall["outcome"]> };

const queue = (name: string) => ({ kind: "queue", queue: name }) as const;
const extension = (ext: string) => ({ kind: "extension", extension: ext, target: `Local/${ext}@internal/n` }) as const;

/** Each menu path, as the call record the IVR produces for it. */
const EXPECTED: Record<string, Expected> = {
  "stdin-queue-after-timeout.txt": { did: "0212345678", menu: "default", inputs: ["1"], route: queue("10001"), outcome: { status: "answered", talkSeconds: 2 } },
  "fastagi-queue-at-once.txt": {
    did: "0223456789",
    menu: "did",
    inputs: ["9"],
    route: queue("10009"),
    outcome: { status: "answered", answeredBy: "Local/300@agents/n", talkSeconds: 2 },
  },
  "stdin-ext101-answered.txt": {
    did: "0298765432",
    menu: "did",
    inputs: ["101"],
    route: extension("101"),
    // Replayed instantly: no time passed between ANSWER and Dial, so all of ANSWEREDTIME_MS is
    // the Dial's span (test/ivr/dial-times.test.ts replays it with time passing).
    outcome: { status: "answered", answeredBy: "101@internal/n", talkSeconds: 8 },
  },
  "fastagi-ext1001-answered.txt": { inputs: ["1001"], route: extension("1001"), outcome: { status: "answered", answeredBy: "1001@internal/n", talkSeconds: 3 } },
  "stdin-ext512-busy.txt": { inputs: ["512"], route: extension("512"), outcome: { status: "busy", detail: "BUSY" } },
  "stdin-ext101-unavailable.txt": { did: "0298765432", inputs: ["101"], route: extension("101"), outcome: { status: "unavailable", detail: "CHANUNAVAIL" } },
  "stdin-invalid-then-queue.txt": { inputs: ["7", "2"], route: queue("10002"), outcome: { status: "answered" } },
  "stdin-invalid-max-attempts.txt": { inputs: ["7", "8", "55"], route: undefined, outcome: { status: "no_selection" } },
  "fastagi-no-input.txt": { did: "0223456789", inputs: ["", ""], route: undefined, outcome: { status: "no_selection" } },
  "stdin-hash-ends-input.txt": { inputs: ["101"], route: extension("101"), outcome: { status: "answered" } },
  "stdin-hangup-during-welcome.txt": { did: "0223456789", inputs: [], route: undefined, outcome: { status: "hungup_in_menu", detail: "sighup" } },
  "fastagi-hangup-during-welcome.txt": { inputs: [], route: undefined, outcome: { status: "hungup_in_menu", detail: "dead-channel" } },
  "stdin-queue-abandoned.txt": { did: "0223456789", inputs: ["9"], route: queue("10009"), outcome: { status: "abandoned", waitSeconds: 4 } },
  "fastagi-dial-cancel.txt": { inputs: ["1002"], route: extension("1002"), outcome: { status: "abandoned", detail: "CANCEL" } },
  "stdin-answer-fails.txt": { inputs: [], route: undefined, outcome: { status: "failed", detail: "ANSWER: answer failed" } },
  "stdin-arg-overrides-did.txt": { did: "0298765432", menu: "did", inputs: ["2"], route: queue("10002"), outcome: { status: "answered" } },
};

const files = readdirSync(IVR_FIXTURES).filter((file) => file.endsWith(".txt")).sort();

describe("menu paths replayed in the recorded dialect over a real TCP connection", () => {
  test("every transcript has its expected call record", () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const file of files) {
    test(file, async () => {
      const { call, played, outcome, log } = await replayIvr(loadTranscript(join(IVR_FIXTURES, file)));
      const { outcome: expectedOutcome, ...rest } = EXPECTED[file]!;
      expect(played.skipped).toEqual([]);
      expect(outcome).not.toBe("error");
      const { route, ...fields } = rest;
      expect(call).toMatchObject(fields);
      expect(call!.route).toEqual(route);
      expect(call!.outcome).toMatchObject(expectedOutcome);
      expect(call!.linkedid).toMatch(/^\d+\.\d+$/);
      expect(call!.hungUpAt !== undefined).toBe(/hangup|abandoned|cancel/.test(file));
      expect(log).toContain("Call finished:");
    });
  }
});
