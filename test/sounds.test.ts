import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_MENU } from "../src/config/menu.ts";

const SOUNDS = join(import.meta.dir, "..", "sounds");

/** The fields of a canonical RIFF/WAVE header that decide whether Asterisk's wav format can play it. */
function wavFormat(path: string) {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (at: number) => bytes.subarray(at, at + 4).toString("latin1");
  return {
    riff: text(0),
    wave: text(8),
    fmt: text(12),
    audioFormat: view.getUint16(20, true), // 1 = PCM
    channels: view.getUint16(22, true),
    sampleRate: view.getUint32(24, true),
    bitsPerSample: view.getUint16(34, true),
    data: text(36),
    seconds: view.getUint32(40, true) / 16_000,
  };
}

test.each(["welcome", "invalid", "goodbye"])("sounds/%s.wav is 8 kHz mono 16-bit PCM, as Asterisk plays it", (name) => {
  const format = wavFormat(join(SOUNDS, `${name}.wav`));
  expect(format).toMatchObject({ riff: "RIFF", wave: "WAVE", fmt: "fmt ", audioFormat: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16, data: "data" });
  expect(format.seconds).toBeGreaterThan(1);
  expect(format.seconds).toBeLessThan(15);
});

test("the built-in defaults name the shipped prompts as install.sh puts them (sounds/ivr/)", () => {
  expect([DEFAULT_MENU.welcome_sound, DEFAULT_MENU.invalid_sound, DEFAULT_MENU.goodbye_sound]).toEqual(["ivr/welcome", "ivr/invalid", "ivr/goodbye"]);
});
