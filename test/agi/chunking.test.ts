import { describe, expect, test } from "bun:test";
import { AgiInputParser, type AgiEvent } from "../../src/agi/input.ts";
import { asteriskBytes, recordedTranscripts } from "../helpers/transcript.ts";

function parseAll(chunks: Uint8Array[]): AgiEvent[] {
  const parser = new AgiInputParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

describe("a recorded session parses identically however it is cut", () => {
  for (const transcript of recordedTranscripts()) {
    test(transcript.name, () => {
      const bytes = new TextEncoder().encode(asteriskBytes(transcript));
      const whole = parseAll([bytes]);
      // Sanity: the environment, then one event per recorded reply or HANGUP line.
      expect(whole[0]?.type).toBe("env");
      expect(whole.filter((e) => e.type === "invalid")).toEqual([]);

      for (let cut = 0; cut <= bytes.length; cut++) {
        const halves = parseAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
        if (!Bun.deepEquals(halves, whole)) expect({ cut, events: halves }).toEqual({ cut, events: whole });
      }
      const byteByByte = parseAll(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
      expect(byteByByte).toEqual(whole);
    });
  }

  test("a UTF-8 caller name cut inside a character", () => {
    const text = "agi_calleridname: Иван Петров ทดสอบ\nagi_uniqueid: 1.2\n\n200 result=1 (Привет)\n";
    const bytes = new TextEncoder().encode(text);
    const whole = parseAll([bytes]);
    expect(whole[0]).toMatchObject({ type: "env", env: { calleridname: "Иван Петров ทดสอบ" } });
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(parseAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(whole);
    }
  });
});
