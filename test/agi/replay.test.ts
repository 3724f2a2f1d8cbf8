import { describe, expect, test } from "bun:test";
import { AgiChannel } from "../../src/agi/channel.ts";
import { driveRecorded, type Outcome } from "../helpers/drive.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { tcpSessionPair } from "../helpers/tcp-session.ts";
import { agiCommands, recordedTranscripts } from "../helpers/transcript.ts";

const v = (value: unknown): Outcome => ({ value });
const unset = v(undefined);
const done = v(undefined);
const hangup = (reason: string): Outcome => ({ hangup: reason });
const played = (digit: string | null, endpos: number) => v({ digit, endpos, played: true });
const notPlayed = (endpos: number) => v({ digit: null, endpos, played: false });

interface Expected {
  outcomes: Outcome[];
  /** How the session learned of the hangup, if it did. */
  hangupReason?: string;
  /** Recorded commands our channel rightly does not send after a known hangup. */
  skipped?: string[];
}

/** What each command of each real recording must give the code that sent it. */
const EXPECTED: Record<string, Expected> = {
  "fastagi-dial-answered.txt": {
    outcomes: [done, v(-1), v("ANSWER"), v("1001@internal/n"), v("Local/1001@internal-00000015;1"), v("3"), v("3")],
  },
  "fastagi-dial-caller-hangs-up-while-ringing.txt": {
    // HANGUP arrives before the reply to GET VARIABLE DIALSTATUS, which still answers.
    outcomes: [done, v(-1), v("CANCEL"), v(""), v("")],
    hangupReason: "hangup-line",
  },
  "fastagi-hangup-during-prompt.txt": {
    outcomes: [done, notPlayed(4000), hangup("dead-channel"), v("+66812345678"), v(true), v(0), hangup("hangup-line")],
    hangupReason: "hangup-line",
    skipped: ["WAIT FOR DIGIT 100"],
  },
  "fastagi-menu-digit2-queue.txt": {
    outcomes: [done, played("2", 13600), v(null), v(-1), unset, unset, unset, unset, v("2"), v("+66812345678")],
  },
  "stdin-get-data.txt": {
    outcomes: [done, v({ digits: "4321", timedOut: false }), v({ digits: "", timedOut: true })],
  },
  "stdin-hangup-during-prompt.txt": {
    outcomes: [done, hangup("sighup"), hangup("sighup"), v("+66812345678"), v(true), v(0), hangup("sighup")],
    hangupReason: "sighup",
    skipped: ['STREAM FILE vm-goodbye ""', "WAIT FOR DIGIT 100"],
  },
  "stdin-menu-digit1-queue.txt": {
    outcomes: [done, played("1", 13760), v(null), v(-1), unset, unset, unset, unset, v("2"), v("+66812345678")],
  },
  "stdin-menu-digit7-invalid.txt": {
    outcomes: [
      done,
      played("7", 13760),
      v(null),
      notPlayed(26080),
      hangup("dead-channel"),
      ...[unset, unset, unset, unset, unset],
      v("+66812345678"),
    ],
    hangupReason: "sighup",
  },
  "stdin-menu-ext101-answered.txt": {
    outcomes: [done, played("1", 13600), v("0"), v("1"), v(null), v(-1), v("ANSWER"), unset, v("101@internal/n"), unset, v("8"), v("0812223333")],
  },
  "stdin-menu-ext101-chanunavail.txt": {
    outcomes: [done, played("1", 13600), v("0"), v("1"), v(null), v(0), v("CHANUNAVAIL"), unset, v(""), unset, v(""), v("0812223333")],
  },
  "stdin-menu-ext512-busy.txt": {
    outcomes: [done, played("5", 13760), v("1"), v("2"), v(null), v(0), v("BUSY"), unset, v(""), unset, v(""), v("+66812345678")],
  },
  "stdin-protocol-probes.txt": {
    outcomes: [
      done,
      v(true),
      unset, // NOSUCHVAR: result=0
      v("+66812345678"),
      v('"Test Caller" <+66812345678>'), // a value holding ")" and quotes
      { commandError: 520, lines: 3 }, // the whole usage block, then no desync
      done,
      v("two words"),
      { commandError: 510, lines: 1 },
      v(6),
      notPlayed(0), // a missing file on a live channel: -1 but no hangup
      v({ digits: "", timedOut: true }),
      v(0),
      { commandError: 200, lines: 1 }, // EXEC of a missing application: result=-2
      v(null),
    ],
  },
  "stdin-queue-abandoned.txt": {
    // SIGHUP while Queue runs: EXEC and GET VARIABLE still work on the dead channel.
    outcomes: [done, v(-1), unset, v("TRUE"), v("0"), v("4")],
    hangupReason: "sighup",
  },
  "stdin-queue-setinterfacevar.txt": {
    outcomes: [done, v(-1), v("Local/300@agents/n"), v("Agent 300"), v("0"), v("2"), unset, unset, unset],
  },
};

const transcripts = recordedTranscripts();

describe("every recording from Asterisk 22 replayed over a real TCP connection", () => {
  test("each recording has its expectations", () => {
    expect(transcripts.map((t) => t.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const transcript of transcripts) {
    test(transcript.name, async () => {
      const expected = EXPECTED[transcript.name]!;
      const pair = await tcpSessionPair();
      try {
        const asterisk = playAsterisk(transcript, pair.asterisk);
        const env = await pair.session.ready;
        const channel = new AgiChannel(pair.session, env);
        const outcomes = await driveRecorded(channel, agiCommands(transcript));
        pair.session.close();
        const { skipped } = await asterisk;

        expect(outcomes).toEqual(expected.outcomes);
        expect(pair.session.hangupReason).toBe(expected.hangupReason as never);
        expect(skipped).toEqual(expected.skipped ?? []);
        expect(env.uniqueid).toMatch(/^\d+\.\d+$/);
        expect(env.network).toBe(transcript.name.startsWith("fastagi-"));
      } finally {
        pair.dispose();
      }
    });
  }
});
