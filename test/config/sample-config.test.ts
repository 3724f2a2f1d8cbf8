/**
 * config/ivr.yaml, the sample install.sh installs: it plays only the prompts that ship in
 * sounds/, keeps every key of the Rust seed's config (test/fixtures/config/seed-config.yaml),
 * and names the history every command of a clone agrees on.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfigFile, parseConfig } from "../../src/config/load.ts";
import { menuFor } from "../../src/config/menu.ts";
import { databasePath } from "../../src/history/location.ts";

const ROOT = join(import.meta.dir, "..", "..");
const SAMPLE = join(ROOT, "config", "ivr.yaml");
const SEED = join(ROOT, "test", "fixtures", "config", "seed-config.yaml");
const sample = loadConfigFile(SAMPLE).config;
const seed = loadConfigFile(SEED).config;
const text = readFileSync(SAMPLE, "utf8");

/** An Asterisk sound name of ours, "ivr/welcome", is the file sounds/welcome.wav (install.sh copies sounds/ to <sounds>/ivr/). */
const shipped = (sound: string) => sound.startsWith("ivr/") && existsSync(join(ROOT, "sounds", `${sound.slice(4)}.wav`));

describe("config/ivr.yaml", () => {
  test("every menu plays only prompts that ship in sounds/", () => {
    const menus = [undefined, ...Object.keys(sample.dids ?? {})].map((did) => menuFor(sample, did ?? "0299999999").menu);
    const sounds = menus.flatMap((menu) => [menu.welcome_sound, menu.invalid_sound, menu.goodbye_sound]);
    expect(sounds.length).toBe(6);
    expect(sounds.filter((sound) => !shipped(sound))).toEqual([]);
  });

  test("keeps every key and DID of the Rust seed's config, the same values but the sounds", () => {
    const withoutSounds = ({ welcome_sound, invalid_sound, goodbye_sound, ...rest }: Record<string, unknown>) => rest;
    expect(Object.keys(sample.default!)).toEqual(Object.keys(seed.default!));
    expect(withoutSounds(sample.default!)).toEqual(withoutSounds(seed.default!));
    expect(Object.keys(sample.dids!)).toEqual(Object.keys(seed.dids!));
    for (const did of Object.keys(seed.dids!)) {
      expect(Object.keys(sample.dids![did]!)).toEqual(Object.keys(seed.dids![did]!));
      expect(withoutSounds(sample.dids![did]!)).toEqual(withoutSounds(seed.dids![did]!));
    }
  });

  test("names the repository's data/ivr.sqlite, on a line install.sh rewrites", () => {
    expect(resolve(databasePath(undefined, sample.database, SAMPLE, {}))).toBe(join(ROOT, "data", "ivr.sqlite"));
    expect(text.split("\n")).toContain("  path: ../data/ivr.sqlite");
  });

  test("its commented examples of the new sections are valid once uncommented", () => {
    // A section's example: the commented block (between blank lines) that starts it.
    const example = (section: string) => {
      const block = text.split(/\n\s*\n/).find((b) => b.split("\n").some((line) => line.startsWith(`# ${section}:`)));
      if (!block) throw new Error(`no commented example of ${section}:`);
      const lines = block.split("\n").map((line) => line.slice(2));
      return lines.slice(lines.findIndex((line) => line.startsWith(`${section}:`))).join("\n");
    };
    const parsed = parseConfig(`country: BY\n${["server", "smart"].map(example).join("\n")}\n`, "uncommented.yaml");
    expect(Object.keys(parsed.smart!.enterprises!)).toEqual(["0367"]);
    expect(parsed.server?.http).toBe("127.0.0.1:8021");
  });
});
