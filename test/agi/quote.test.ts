import { describe, expect, test } from "bun:test";
import { AgiArgumentError } from "../../src/agi/errors.ts";
import { arg, quoted, word } from "../../src/agi/quote.ts";

/** res_agi.c's parse_args, transcribed, to check that what we send splits back into what we meant. */
function asteriskParseArgs(s: string): string[] {
  const argv: string[] = [];
  let cur: string | undefined;
  let quotedMode = false;
  let escaped = false;
  let whitespace = true;
  for (const ch of s) {
    if (ch === '"' && !escaped) {
      quotedMode = !quotedMode;
      if (quotedMode && whitespace) {
        if (cur !== undefined) argv.push(cur);
        cur = "";
        whitespace = false;
      }
      continue;
    }
    if ((ch === " " || ch === "\t") && !quotedMode && !escaped) {
      whitespace = true;
      continue;
    }
    if (ch === "\\" && !escaped) {
      escaped = true;
      continue;
    }
    if (whitespace) {
      if (cur !== undefined) argv.push(cur);
      cur = "";
      whitespace = false;
    }
    cur += ch;
    escaped = false;
  }
  if (cur !== undefined) argv.push(cur);
  return argv;
}

describe("argument quoting", () => {
  test.each(["two words", "", 'say "hi"', "back\\slash", "tab\there", "${CALLERID(all)}", "plain"])(
    "%j survives Asterisk's parser",
    (value) => {
      expect(asteriskParseArgs(`SET VARIABLE FOO ${quoted(value)}`)).toEqual(["SET", "VARIABLE", "FOO", value]);
      expect(asteriskParseArgs(`EXEC NoOp ${arg(value)}`)).toEqual(["EXEC", "NoOp", value]);
    },
  );

  test("bare when possible, as in Asterisk's own examples", () => {
    expect(arg("Local/1001@internal/n,20,t")).toBe("Local/1001@internal/n,20,t");
    expect(arg("")).toBe('""');
    expect(quoted("0123456789*#")).toBe('"0123456789*#"');
  });

  test.each(["a\nHANGUP", "a\rb", "nul\0"])("%j is refused before sending", (value) => {
    expect(() => quoted(value)).toThrow(AgiArgumentError);
    expect(() => arg(value)).toThrow(AgiArgumentError);
  });

  test("syntax words refuse anything quoting would change", () => {
    expect(word("DIALSTATUS", "variable")).toBe("DIALSTATUS");
    expect(() => word("TWO WORDS", "variable")).toThrow(/variable must be one word/);
    expect(() => word("", "context")).toThrow(AgiArgumentError);
  });
});
