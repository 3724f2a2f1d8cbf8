import { expect, test } from "bun:test";
import { AgiProtocolError } from "../../src/agi/errors.ts";
import { LineSplitter, MAX_LINE_LENGTH } from "../../src/agi/lines.ts";

test("LF and CRLF both end a line; the rest waits for more", () => {
  const splitter = new LineSplitter();
  expect(splitter.push("200 result=0\r\n200 res")).toEqual(["200 result=0"]);
  expect(splitter.pending).toBe("200 res");
  expect(splitter.push("ult=1\n\n")).toEqual(["200 result=1", ""]);
});

test("a peer sending endless bytes without a newline gets a protocol error, not unbounded memory", () => {
  const splitter = new LineSplitter();
  expect(splitter.push("x".repeat(MAX_LINE_LENGTH + 1))).toEqual([]);
  expect(splitter.error).toBeInstanceOf(AgiProtocolError);
  expect(splitter.pending).toBe("");
  expect(splitter.push("200 result=0\n")).toEqual([]);
});

test("a complete line past the bound is refused too; the lines before it are kept", () => {
  const splitter = new LineSplitter();
  expect(splitter.push(`200 result=0\n${"x".repeat(MAX_LINE_LENGTH + 1)}\n200 result=1\n`)).toEqual(["200 result=0"]);
  expect(splitter.error?.message).toStartWith(`line longer than ${MAX_LINE_LENGTH} characters: "xxx`);
});
