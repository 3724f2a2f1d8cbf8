import { describe, expect, test } from "bun:test";
import { parseReply, ReplyAssembler } from "../../src/agi/reply.ts";

describe("parseReply, with lines Asterisk 22 wrote", () => {
  test.each([
    ["200 result=0", { code: 200, result: "0", data: undefined, endpos: undefined }],
    ["200 result=49 endpos=13760", { code: 200, result: "49", data: undefined, endpos: 13760 }],
    ["200 result=-1 endpos=0", { code: 200, result: "-1", data: undefined, endpos: 0 }],
    ["200 result=1 (+66812345678)", { code: 200, result: "1", data: "+66812345678", endpos: undefined }],
    ['200 result=1 ("Test Caller" <+66812345678>)', { code: 200, result: "1", data: '"Test Caller" <+66812345678>', endpos: undefined }],
    ["200 result=1 ()", { code: 200, result: "1", data: "", endpos: undefined }],
    ["200 result= (timeout)", { code: 200, result: "", data: "timeout", endpos: undefined }],
    ["200 result=", { code: 200, result: "", data: undefined, endpos: undefined }],
    ["200 result=4321", { code: 200, result: "4321", data: undefined, endpos: undefined }],
    ["200 result=-2", { code: 200, result: "-2", data: undefined, endpos: undefined }],
    // RECORD FILE puts data and endpos together.
    ["200 result=0 (timeout) endpos=800", { code: 200, result: "0", data: "timeout", endpos: 800 }],
    // A value holding ")" and even " endpos=" stays whole.
    ["200 result=1 (a) b (c))", { code: 200, result: "1", data: "a) b (c)", endpos: undefined }],
    ["200 result=1 (x) endpos=5)", { code: 200, result: "1", data: "x) endpos=5", endpos: undefined }],
    ["510 Invalid or unknown command", { code: 510, result: "", data: undefined, endpos: undefined }],
    ["511 Command Not Permitted on a dead channel or intercept routine", { code: 511, result: "", data: undefined, endpos: undefined }],
    ["520 Invalid command syntax.  Proper usage not available.", { code: 520, result: "", data: undefined, endpos: undefined }],
  ])("%s", (line, expected) => {
    expect(parseReply(line)).toEqual({ ...expected, lines: [line] });
  });

  // A value is data whatever it holds: the characters a JS "." does not match included.
  test.each(["a\rb", "a\u2028b", "a\u2029b", "\r", "x\r) endpos=3"])("a value holding %j stays whole", (value) => {
    expect(parseReply(`200 result=1 (${value})`)).toMatchObject({ code: 200, result: "1", data: value });
    expect(parseReply(`200 result=0 (${value}) endpos=800`)).toMatchObject({ data: value, endpos: 800 });
  });

  test.each(["", "HELLO", "200", "200 ok", "20 result=1", "520-Invalid command syntax.  Proper usage follows:"])(
    "%j is not a complete reply",
    (line) => expect(parseReply(line)).toBeUndefined(),
  );
});

describe("ReplyAssembler", () => {
  test("consumes the whole 520 usage block, blank lines included", () => {
    const assembler = new ReplyAssembler();
    const block = [
      "520-Invalid command syntax.  Proper usage follows:",
      " Usage: SET VARIABLE <variablename> <value>",
      "",
      " 520 indented is not the end: only a line starting with \"520 \" is",
      "520 End of proper usage.",
    ];
    const results = block.map((line) => assembler.push(line));
    expect(results.slice(0, 4)).toEqual(["partial", "partial", "partial", "partial"]);
    expect(results[4]).toEqual({ code: 520, result: "", data: undefined, endpos: undefined, lines: block.slice(0, 4).concat(block[4]!) });
    // Nothing left over: the next reply is read on its own.
    expect(assembler.push("200 result=1")).toMatchObject({ code: 200, result: "1" });
  });

  test("a line that is not AGI is reported, not swallowed", () => {
    expect(new ReplyAssembler().push("GET / HTTP/1.1")).toBe("invalid");
  });
});
