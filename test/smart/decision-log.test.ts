import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load.ts";
import { DEFAULT_ROTATION, DecisionLog, decisionLogRotation } from "../../src/smart/decision-log.ts";
import { JsonLinesFile, rotate } from "../../src/smart/json-lines-file.ts";
import { captureLog } from "../helpers/capture-log.ts";

const dir = () => mkdtempSync(join(tmpdir(), "ivr-decision-log-"));
const lines = (path: string) => (existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : []);
const line = (n: number) => JSON.stringify({ n, pad: "x".repeat(80) });
const forever = { maxBytes: Number.MAX_SAFE_INTEGER, maxAgeMs: Number.MAX_SAFE_INTEGER, keep: 3 };

describe("the decision log file", () => {
  test("ivr serve gathers lines and writes them together; nothing is lost at close", () => {
    const path = join(dir(), "d.jsonl");
    const file = new JsonLinesFile(path, forever, { flushMs: 60_000 });
    file.append(line(1));
    file.append(line(2));
    expect(lines(path)).toEqual([]);
    file.close();
    expect(lines(path)).toEqual([line(1), line(2)]);
  });

  test("rotated before a write would pass max size: path.1 is the newest, every line kept in order", () => {
    const path = join(dir(), "d.jsonl");
    const file = new JsonLinesFile(path, { ...forever, maxBytes: 1000 });
    for (let n = 1; n <= 50; n++) file.append(line(n));
    const files = [`${path}.3`, `${path}.2`, `${path}.1`, path];
    for (const f of files) expect(readFileSync(f).length).toBeLessThanOrEqual(1000);
    const all = files.flatMap(lines).map((l) => JSON.parse(l).n);
    expect(all).toEqual(all.toSorted((a, b) => a - b));
    expect(all.at(-1)).toBe(50);
    // keep 3: the oldest lines went with the fourth file.
    expect(existsSync(`${path}.4`)).toBe(false);
    expect(all[0]).toBeGreaterThan(1);
  });

  test("rotated once older than max age", () => {
    const path = join(dir(), "d.jsonl");
    let now = Date.now();
    const file = new JsonLinesFile(path, { ...forever, maxAgeMs: 3_600_000 }, { clock: () => now });
    file.append(line(1));
    now += 3_599_000;
    file.append(line(2));
    expect(existsSync(`${path}.1`)).toBe(false);
    now += 2_000;
    file.append(line(3));
    expect(lines(`${path}.1`)).toEqual([line(1), line(2)]);
    expect(lines(path)).toEqual([line(3)]);
  });

  test("keep 0 deletes instead; rotated files past a lowered keep are removed at the next rotation", () => {
    const base = dir();
    const path = join(base, "d.jsonl");
    for (const n of [1, 2, 3, 4, 5]) writeFileSync(`${path}.${n}`, `${line(n)}\n`);
    writeFileSync(join(base, "d.jsonl.notes"), "not ours\n");
    const file = new JsonLinesFile(path, { ...forever, maxBytes: 150, keep: 0 });
    file.append(line(6));
    file.append(line(7));
    expect(lines(path)).toEqual([line(7)]);
    expect(readdirSync(base).sort()).toEqual(["d.jsonl", "d.jsonl.notes"]);
  });

  test("another process rotated the file: the next write goes to the new file at the path", () => {
    const path = join(dir(), "d.jsonl");
    const file = new JsonLinesFile(path, forever, { flushMs: 60_000 });
    file.append(line(1));
    file.flush();
    renameSync(path, `${path}.1`); // a per-call process rotated it
    file.append(line(2));
    file.flush();
    expect(lines(`${path}.1`)).toEqual([line(1)]);
    expect(lines(path)).toEqual([line(2)]);
    file.close();
  });

  test("two writers past the limit rotate once: under the lock, a file that is no longer the one seen is left alone", () => {
    const path = join(dir(), "d.jsonl");
    writeFileSync(path, `${line(1)}\n`);
    const inode = statSync(path).ino;
    expect(rotate(path, inode, 3)).toBe(true);
    writeFileSync(path, `${line(2)}\n`); // the new file, written by the first writer
    expect(rotate(path, inode, 3)).toBe(true); // the second writer's stale view: nothing moves
    expect(lines(`${path}.1`)).toEqual([line(1)]);
    expect(lines(path)).toEqual([line(2)]);
  });

  test("a rotation in progress elsewhere is not disturbed; a lock left by a dead process is taken over", () => {
    const path = join(dir(), "d.jsonl");
    writeFileSync(path, `${line(1)}\n`);
    const inode = statSync(path).ino;
    writeFileSync(`${path}.rotating`, "");
    expect(rotate(path, inode, 3)).toBe(false);
    expect(lines(path)).toEqual([line(1)]);
    const old = new Date(Date.now() - 120_000);
    utimesSync(`${path}.rotating`, old, old);
    expect(rotate(path, inode, 3)).toBe(true);
    expect(lines(`${path}.1`)).toEqual([line(1)]);
    expect(existsSync(`${path}.rotating`)).toBe(false);
  });

  test("a file that cannot be written: one error, lines dropped (the rows are in the database), one line when it works again", () => {
    const base = dir();
    const path = join(base, "missing-dir", "d.jsonl");
    const { log, text } = captureLog();
    const decisions = new DecisionLog(undefined, () => path, log);
    const entry = { at: 0, via: "http" as const, enterprise: "0367", uniqueid: "1.1", request: { phone: "1", line: "2", loadDialPlan: true } };
    const decision = { name: null, dialPlan: null, outcome: "no_match" as const, rule: null, reason: "r", mode: "routing+name" as const, phone: null, steps: [], cached: false, latencyMs: 1 };
    decisions.write({ ...entry, decision });
    decisions.write({ ...entry, decision });
    expect(text().match(/cannot write the decision log/g)).toHaveLength(1);
    mkdirSync(join(base, "missing-dir"));
    decisions.write({ ...entry, decision });
    expect(lines(path)).toHaveLength(1);
    expect(text()).toContain("is written again");
  });
});

describe("rotation settings", () => {
  const smartWith = (keys: string) => parseConfig(`default:\n  queues: { "1": "10001" }\nsmart:\n${keys}`, "test.yaml");

  test("defaults: 100 MiB, a day, 7 files kept", () => {
    expect(decisionLogRotation(smartWith("  cache_ttl_seconds: 60\n"))).toEqual(DEFAULT_ROTATION);
    expect(DEFAULT_ROTATION).toEqual({ maxBytes: 100 * 1024 * 1024, maxAgeMs: 24 * 3_600_000, keep: 7 });
  });

  test("smart.decision_log_max_mb, _max_age_hours and _keep", () => {
    const config = smartWith("  decision_log_max_mb: 20\n  decision_log_max_age_hours: 6\n  decision_log_keep: 0\n");
    expect(decisionLogRotation(config)).toEqual({ maxBytes: 20 * 1024 * 1024, maxAgeMs: 6 * 3_600_000, keep: 0 });
  });

  test("out of range values are refused", () => {
    expect(() => smartWith("  decision_log_max_mb: 0\n")).toThrow(/decision_log_max_mb/);
    expect(() => smartWith("  decision_log_keep: -1\n")).toThrow(/decision_log_keep/);
  });
});
