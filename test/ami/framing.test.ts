import { describe, expect, test } from "bun:test";
import { AmiFramer, type Framed } from "../../src/ami/framing.ts";
import { AmiActionError, formatAction } from "../../src/ami/message.ts";
import { amiBytes, amiStreamNames, framedAll } from "../helpers/ami-fixtures.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const messages = (framed: Framed[]) => framed.flatMap((f) => (f.kind === "message" ? [f.message.toObject()] : []));

describe("recorded AMI streams frame identically however they are cut", () => {
  for (const name of amiStreamNames()) {
    test(name, () => {
      const bytes = amiBytes(name);
      const whole = framedAll([bytes]);
      expect(whole[0]).toEqual({ kind: "banner", version: "11.0.0" });
      expect(whole.filter((f) => f.kind === "refused")).toEqual([]);
      // The stream's own structure: every message between blank lines, nothing left over.
      const blankLines = new TextDecoder().decode(bytes).split("\r\n\r\n").length - 1;
      expect(whole.length - 1).toBe(blankLines);

      // Every cut of every message (framed alone, as the framer is back in its first state
      // after each blank line), and of the banner with the login response; the whole stream
      // in small chunks puts boundaries everywhere between messages too.
      const text = new TextDecoder().decode(bytes);
      const blocks = text.split(/(?<=\r\n\r\n)/);
      const firstLine = text.indexOf("\r\n") + 2;
      blocks[0] = blocks[0]!.slice(firstLine);
      const opening = encode(text.slice(0, firstLine) + blocks[0]);
      const cutEverywhere = (piece: Uint8Array, banner: boolean) => {
        const expected = new AmiFramer({ banner }).push(piece);
        for (let cut = 0; cut <= piece.length; cut++) {
          const framer = new AmiFramer({ banner });
          const framed = [...framer.push(piece.subarray(0, cut)), ...framer.push(piece.subarray(cut))];
          if (!Bun.deepEquals(framed, expected)) expect({ cut, framed }).toEqual({ cut, framed: expected });
        }
      };
      cutEverywhere(opening, true);
      for (const block of blocks.slice(1)) cutEverywhere(encode(block), false);
      for (const size of [1, 2, 3, 13, 512]) {
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
        expect(framedAll(chunks)).toEqual(whole);
      }
    });
  }
});

describe("framing", () => {
  test("bare LF lines, repeated headers kept in order, unknown headers passed through", () => {
    const framed = new AmiFramer().push("Asterisk Call Manager/11.0.0\nEvent: Newchannel\nChanVariable: A=1\nChanVariable: B=2\nX-Custom: as is\n\n");
    const message = framed.flatMap((f) => (f.kind === "message" ? [f.message] : []))[0]!;
    expect(message.all("chanvariable")).toEqual(["A=1", "B=2"]);
    expect(message.get("x-custom")).toBe("as is");
    expect(message.fields).toEqual(["Event", "Newchannel", "ChanVariable", "A=1", "ChanVariable", "B=2", "X-Custom", "as is"]);
  });

  test("keys are case-insensitive, values keep ': ' inside, empty values stay empty", () => {
    const [item] = new AmiFramer({ banner: false }).push("Event: Cdr\r\nUniqueID: 1.2\r\nAppData: a: b\r\nAccountCode: \r\nOdd:novalue\r\n\r\n");
    const message = (item as Extract<Framed, { kind: "message" }>).message;
    expect(message.get("Uniqueid")).toBe("1.2");
    expect(message.get("AppData")).toBe("a: b");
    expect(message.get("AccountCode")).toBe("");
    expect(message.get("Odd")).toBe("novalue");
  });

  test("the banner is one line with no blank line after; the first response follows it directly", () => {
    const framed = new AmiFramer().push(encode("Asterisk Call Manager/11.0.0\r\nResponse: Success\r\nActionID: a-1\r\nMessage: Authentication accepted\r\n\r\n"));
    expect(framed).toEqual([
      { kind: "banner", version: "11.0.0" },
      expect.objectContaining({ kind: "message" }),
    ]);
    expect(messages(framed)).toEqual([{ Response: "Success", ActionID: "a-1", Message: "Authentication accepted" }]);
  });

  test("Response: Follows keeps its body, blank lines included, up to --END COMMAND--", () => {
    const text =
      "Response: Follows\r\nPrivilege: Command\r\nActionID: c-1\r\nName: value looking line\r\n\r\nsecond part\r\n--END COMMAND--\r\n\r\nEvent: Next\r\n\r\n";
    const bytes = encode(text);
    const whole = new AmiFramer({ banner: false }).push(bytes);
    expect(whole).toHaveLength(2);
    const follows = (whole[0] as Extract<Framed, { kind: "message" }>).message;
    expect(follows.actionId).toBe("c-1");
    expect(follows.body).toEqual(["Name: value looking line", "", "second part"]);
    expect(messages(whole)[1]).toEqual({ Event: "Next" });
    for (let cut = 0; cut <= bytes.length; cut++) {
      const framer = new AmiFramer({ banner: false });
      expect([...framer.push(bytes.subarray(0, cut)), ...framer.push(bytes.subarray(cut))]).toEqual(whole);
    }
  });

  test("output ending without a newline before --END COMMAND-- (older Asterisk) keeps the last line", () => {
    const [item] = new AmiFramer({ banner: false }).push("Response: Follows\r\nPrivilege: Command\r\nlast line--END COMMAND--\r\n\r\n");
    expect((item as Extract<Framed, { kind: "message" }>).message.body).toEqual(["last line"]);
  });

  test("a UTF-8 caller name cut inside a character", () => {
    const bytes = encode("Event: Newchannel\r\nCallerIDName: Иван ทดสอบ\r\n\r\n");
    for (let cut = 0; cut <= bytes.length; cut++) {
      const framer = new AmiFramer({ banner: false });
      const framed = [...framer.push(bytes.subarray(0, cut)), ...framer.push(bytes.subarray(cut))];
      expect(messages(framed)).toEqual([{ Event: "Newchannel", CallerIDName: "Иван ทดสอบ" }]);
    }
  });

  test("an endless line is refused within the limit and reading goes on with the next message", () => {
    const framer = new AmiFramer({ banner: false, limits: { maxLineLength: 100 } });
    const out: Framed[] = [];
    framer.push("Event: Big\r\nValue: ", out);
    for (let i = 0; i < 50; i++) framer.push("x".repeat(1000), out); // 50 kB without a newline: never held
    expect(out).toEqual([{ kind: "refused", reason: "a line longer than 100 characters", sample: expect.stringMatching(/^Value: x+/) }]);
    framer.push("\r\nMore: of the broken message\r\n\r\nEvent: Fine\r\n\r\n", out);
    expect(messages(out)).toEqual([{ Event: "Fine" }]);
    expect(framer.midMessage).toBe(false);
  });

  test("too many headers are refused, the message dropped whole, the next one read", () => {
    const framer = new AmiFramer({ banner: false, limits: { maxHeaders: 3 } });
    const out = framer.push("Event: A\r\nB: 1\r\nC: 2\r\nD: 3\r\nE: 4\r\n\r\nEvent: Fine\r\n\r\n");
    expect(out[0]).toMatchObject({ kind: "refused", reason: "a message with more than 3 headers" });
    expect(messages(out)).toEqual([{ Event: "Fine" }]);
  });

  test("a message cut by a disconnect is reported as partial, never emitted", () => {
    const framer = new AmiFramer({ banner: false });
    expect(framer.push("Event: Hangup\r\nUniqueid: 1.1\r\n")).toEqual([]);
    expect(framer.midMessage).toBe(true);
  });
});

describe("formatAction", () => {
  test("CRLF lines, repeated headers from arrays, undefined left out", () => {
    expect(formatAction({ Action: "Originate", Variable: ["A=1", "B=2"], Async: "true", Skip: undefined })).toBe(
      "Action: Originate\r\nVariable: A=1\r\nVariable: B=2\r\nAsync: true\r\n\r\n",
    );
  });

  test("a line break in a value, a line Asterisk would drop, more than 128 headers: refused", () => {
    expect(() => formatAction({ Action: "Originate", Channel: "PJSIP/1\r\nAction: Command" })).toThrow(AmiActionError);
    expect(() => formatAction({ Action: "Setvar", Value: "x".repeat(1100) })).toThrow(/longer than Asterisk reads/);
    expect(() => formatAction({ Action: "Originate", Variable: Array.from({ length: 128 }, (_, i) => `V${i}=1`) })).toThrow(/128 headers/);
    expect(() => formatAction({ "Bad Key": "x" })).toThrow(/header name/);
  });
});
