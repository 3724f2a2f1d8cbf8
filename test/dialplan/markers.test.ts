import { describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertSoundBlock, planBlockWrite, writeBlock } from "../../src/smart/dialplan-file.ts";
import { MARKER, replaceBlock } from "../../src/smart/markers.ts";
import { buildPlan } from "../../src/smart/plan.ts";
import { renderPlan } from "../../src/smart/plan-render.ts";
import { CASES } from "./cases.ts";

const BLOCK = renderPlan(buildPlan(CASES["no-follow-me"]!));
const OTHER = renderPlan(buildPlan(CASES["two-lines"]!));

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "ivr-dialplan-")), "extensions.conf");
  writeFileSync(path, text);
  return path;
}

const BEFORE = "[general]\nstatic=yes\n\n[from-out-office]\nexten => _X.,1,Set(INCALL=${EXTEN})\n";
const AFTER = "\n[dialexecute]\nexten => 255,1,Goto(mngr25_1,${EXTEN},1)\n";

describe("the block between the markers is replaced, every other byte kept", () => {
  test("LF: only what is between the markers changes", () => {
    const path = file(`${BEFORE}${MARKER}\n[old_context]\nexten => 1,1,NoOp(old)\n${MARKER}\n${AFTER}`);
    const result = writeBlock(path, BLOCK);
    expect(result).toMatchObject({ changed: true, markersAdded: false });
    expect(readFileSync(path, "utf8")).toBe(`${BEFORE}${MARKER}\n${BLOCK.join("\n")}\n${MARKER}\n${AFTER}`);
    expect(result.diff.removed).toEqual(["old_context"]);
    expect(result.diff.added).toContain("mngr31_0001363_1");
  });

  test("CRLF: the surrounding bytes stay, the block is written with CRLF too", () => {
    const crlf = (text: string) => text.replace(/\n/g, "\r\n");
    const path = file(crlf(`${BEFORE}${MARKER}\n${MARKER}\n${AFTER}`));
    writeBlock(path, BLOCK);
    expect(readFileSync(path, "utf8")).toBe(crlf(`${BEFORE}${MARKER}\n${BLOCK.join("\n")}\n${MARKER}\n${AFTER}`));
  });

  test("no final newline after the closing marker: still none", () => {
    const path = file(`${BEFORE}${MARKER}\n${MARKER}`);
    writeBlock(path, BLOCK);
    expect(readFileSync(path, "utf8")).toBe(`${BEFORE}${MARKER}\n${BLOCK.join("\n")}\n${MARKER}`);
  });

  test("no markers: added at the end, after a line ending if the file lacks one", () => {
    const path = file("[general]\nstatic=yes");
    expect(writeBlock(path, BLOCK).markersAdded).toBe(true);
    expect(readFileSync(path, "utf8")).toBe(`[general]\nstatic=yes\n${MARKER}\n${BLOCK.join("\n")}\n${MARKER}\n`);
  });

  test("a second run changes nothing and writes nothing", () => {
    const path = file(`${BEFORE}${MARKER}\n${MARKER}\n${AFTER}`);
    writeBlock(path, BLOCK);
    const written = readFileSync(path, "utf8");
    const mtime = statSync(path).mtimeMs;
    expect(writeBlock(path, BLOCK)).toMatchObject({ changed: false });
    expect(readFileSync(path, "utf8")).toBe(written);
    expect(statSync(path).mtimeMs).toBe(mtime);
  });

  test("the previous file is kept as .bak; the file keeps its mode", () => {
    const original = `${BEFORE}${MARKER}\n${MARKER}\n${AFTER}`;
    const path = file(original);
    chmodSync(path, 0o640);
    const first = writeBlock(path, BLOCK);
    expect(readFileSync(first.backup!, "utf8")).toBe(original);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    const second = writeBlock(path, OTHER);
    expect(readFileSync(second.backup!, "utf8")).toContain("mngr32_0001363_1");
    expect(second.diff.added).toContain("mngr31_GSM2_1");
    expect(second.diff.removed).toEqual(["mngr37_0001363_1"]); // the two-line config has only Ivan
  });

  test("no smart line: the block is emptied, the markers stay", () => {
    const path = file(`${BEFORE}${MARKER}\n${BLOCK.join("\n")}\n${MARKER}\n${AFTER}`);
    writeBlock(path, []);
    expect(readFileSync(path, "utf8")).toBe(`${BEFORE}${MARKER}\n${MARKER}\n${AFTER}`);
  });

  test("one marker alone, or three: refused, the file untouched", () => {
    const one = `${BEFORE}${MARKER}\n${AFTER}`;
    const path = file(one);
    expect(() => writeBlock(path, BLOCK)).toThrow(/expected two Smart Redirection marker lines, found 1 \(at lines 6\)/);
    expect(readFileSync(path, "utf8")).toBe(one);
    expect(() => replaceBlock(`${MARKER}\n${MARKER}\n${MARKER}\n`, BLOCK)).toThrow(/found 3/);
  });

  test("a block that is not sound extensions.conf is never written", () => {
    const path = file(`${MARKER}\n${MARKER}\n`);
    expect(() => writeBlock(path, ["[ctx]", "exten => s,1,Macro(getcustomerdata)"])).toThrow(/not valid extensions.conf, nothing written/);
    expect(readFileSync(path, "utf8")).toBe(`${MARKER}\n${MARKER}\n`);
  });

  test("the same check stands before printing: a block --write would refuse is never printed", () => {
    expect(() => assertSoundBlock(["[mngr31_0001363,1,Dial(PJSIP/666)_1]", "exten => 1,1,NoOp(x)"], "nothing printed")).toThrow(
      /not valid extensions.conf, nothing printed:\n {2}line 1: bad context name/,
    );
    expect(() => assertSoundBlock(BLOCK, "nothing printed")).not.toThrow();
  });

  test("a missing file is an error naming it", () => {
    expect(() => writeBlock("/nonexistent/extensions.conf", BLOCK)).toThrow("cannot read /nonexistent/extensions.conf: no such file");
  });
});

describe("the file is bytes, and a symbolic link stays a link", () => {
  const latin1 = (text: string) => Buffer.from(text, "latin1");

  test("Latin-1 bytes outside the block are kept byte for byte; the block (UTF-8 names) goes in as UTF-8", () => {
    const path = join(mkdtempSync(join(tmpdir(), "ivr-dialplan-")), "extensions.conf");
    const outside = (marker: string) => latin1(`[caf\xe9]\n; r\xe9ception\n${marker}`);
    writeFileSync(path, Buffer.concat([outside(`${MARKER}\n${MARKER}\n`), latin1("; fin \xe0 l'\xe9t\xe9\n")]));
    const named = BLOCK.map((line) => line.replace("Ivan Petrov", "Иван Петров"));
    expect(named.join("\n")).toContain("Иван Петров");
    writeBlock(path, named);
    const written = readFileSync(path);
    const expected = Buffer.concat([outside(`${MARKER}\n`), Buffer.from(`${named.join("\n")}\n`, "utf8"), latin1(`${MARKER}\n; fin \xe0 l'\xe9t\xe9\n`)]);
    expect(written.equals(expected)).toBe(true);
    expect(writeBlock(path, named)).toMatchObject({ changed: false });
    expect(planBlockWrite(path, named).diff).toEqual({ added: [], removed: [], changed: [] });
  });

  test("a symlinked extensions.conf: the target is rewritten (atomically, beside it) and the link stays", () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-dialplan-link-"));
    mkdirSync(join(dir, "real"));
    const target = join(dir, "real", "extensions.conf");
    writeFileSync(target, `${BEFORE}${MARKER}\n${MARKER}\n`);
    const link = join(dir, "extensions.conf");
    symlinkSync("real/extensions.conf", link);
    const result = writeBlock(link, BLOCK);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe("real/extensions.conf");
    expect(readFileSync(target, "utf8")).toBe(`${BEFORE}${MARKER}\n${BLOCK.join("\n")}\n${MARKER}\n`);
    expect(result.backup).toBe(`${target}.bak`);
    expect(readFileSync(result.backup!, "utf8")).toBe(`${BEFORE}${MARKER}\n${MARKER}\n`);
    expect(writeBlock(link, BLOCK).changed).toBe(false);
  });

  test("a FIFO or a device is refused unread, a dangling link named", () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-dialplan-fifo-"));
    execFileSync("mkfifo", [join(dir, "fifo.conf")]);
    expect(() => writeBlock(join(dir, "fifo.conf"), BLOCK)).toThrow(/fifo\.conf: it is a FIFO \(named pipe\), not a regular file/);
    expect(() => planBlockWrite("/dev/zero", BLOCK)).toThrow("cannot read /dev/zero: it is a device, not a regular file");
    symlinkSync(join(dir, "gone.conf"), join(dir, "dangling.conf"));
    expect(() => writeBlock(join(dir, "dangling.conf"), BLOCK)).toThrow(/dangling\.conf: no such file/);
  });
});
