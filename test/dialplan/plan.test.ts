import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkExtensionsConf } from "../../src/smart/dialplan-check.ts";
import { agiHook, curlGosub } from "../../src/smart/hooks.ts";
import { buildPlan } from "../../src/smart/plan.ts";
import { renderPlan } from "../../src/smart/plan-render.ts";
import { CASES } from "./cases.ts";

const GOLDEN = join(import.meta.dir, "..", "fixtures", "dialplan");

/** Compares with the golden file; IVR_UPDATE_GOLDEN=1 writes it (then review the diff). */
function golden(name: string, text: string) {
  const file = join(GOLDEN, `${name}.conf`);
  if (process.env.IVR_UPDATE_GOLDEN === "1" || !existsSync(file)) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, "utf8"));
}

describe("the generated contexts, by golden file", () => {
  for (const [name, config] of Object.entries(CASES)) {
    test(name, () => {
      const plan = buildPlan(config);
      expect(plan.errors).toEqual([]);
      const text = renderPlan(plan).map((line) => `${line}\n`).join("");
      golden(name, text);
      expect(checkExtensionsConf(text)).toEqual([]);
    });
  }

  test("no line: the block is empty", () => {
    expect(renderPlan(buildPlan(CASES["no-enabled-line"]!))).toEqual([]);
  });

  test("a missing fallback borrows the first line's, with a warning", () => {
    const plan = buildPlan(CASES["missing-fallback"]!);
    expect(plan.warnings).toEqual(["enterprise 0367, line 0001364: no fallback; using line 0001363's (from-out-office-fallback)"]);
    expect(plan.lines[1]).toMatchObject({ line: "0001364", fallback: "from-out-office-fallback" });
  });
});

describe("the rules of plan.py", () => {
  const plan = buildPlan(CASES["follow-me-1-2-3-steps"]!);
  const step = (context: string) => plan.lines[0]!.contexts.find((c) => c.context === context)!;

  test("no Follow Me: one step, the phone itself for 30 s, then the fallback", () => {
    expect(step("mngr37_0001363_1")).toMatchObject({ targets: ["PJSIP/152"], seconds: 30, local: undefined, next: "from-out-office-fallback" });
  });

  test("Follow Me: a context per step, rings x 5 s, each step to the next and the last to the fallback", () => {
    expect(step("mngr45_0001363_1")).toMatchObject({ seconds: 10, next: "mngr45_0001363_2" });
    expect(step("mngr45_0001363_2")).toMatchObject({ seconds: 20, next: "mngr45_0001363_3" });
    expect(step("mngr45_0001363_3")).toMatchObject({ seconds: 30, next: "from-out-office-fallback" });
    // every phone of the user gets the chain
    expect(step("mngr46_0001363_3")).toBeDefined();
  });

  test("internal numbers as <technology>/<number>, outside ones as Local/<digits>@<outgoing context>", () => {
    expect(step("mngr45_0001363_2").targets).toEqual(["Local/375294445566@out-mobile", "PJSIP/152"]);
    expect(step("mngr40_0001363_2").targets).toEqual(["Local/375291112233@from-internal"]);
  });

  test("LOCAL: the step's smallest internal number, else the user's smallest", () => {
    expect(step("mngr31_0001363_1").local).toBe("150"); // 151 and 150 in the step
    expect(step("mngr40_0001363_2").local).toBe("160"); // no internal number in the step: Pavel's only phone
    expect(step("mngr45_0001363_3").local).toBe("105"); // Anna's smallest of 170 and 105
  });

  test("a technology from the config (PJSIP by default)", () => {
    const sip = buildPlan({ ...CASES["no-follow-me"], smart: { ...CASES["no-follow-me"]!.smart, dialplan: { technology: "SIP" } } });
    expect(sip.lines[0]!.contexts[0]!.targets).toEqual(["SIP/150"]);
  });

  test("errors that make a correct dialplan impossible: no fallback anywhere, an outside number without outgoing_context", () => {
    const noFallback = buildPlan({ smart: { enterprises: { "1": { token: "${T}", lines: { L1: {} }, users: [] } } } });
    expect(noFallback.errors).toEqual(['enterprise 1, line L1: no fallback context, and no other line has one (set lines."L1".fallback)']);
    const noContext = buildPlan({
      smart: { enterprises: { "1": { token: "${T}", lines: { L1: { fallback: "f" } }, users: [{ id: 9, phones: [{ id: 1, number: "100" }], follow_me: [{ rings: 2, numbers: ["+375291112233"] }] }] } } },
    });
    expect(noContext.errors).toEqual(["enterprise 1, user 9: Follow Me step 1 calls +375291112233, an outside number, but the user has no outgoing_context"]);
    expect(buildPlan(CASES["no-follow-me"]!, "9999").errors).toEqual(['no enterprise "9999" under smart.enterprises']);
  });
});

describe("the structural check of extensions.conf", () => {
  test("the hooks pass it", () => {
    expect(checkExtensionsConf(["[from-out-office]", ...agiHook("127.0.0.1:4573", "0367")].join("\n"))).toEqual([]);
    expect(checkExtensionsConf(curlGosub("127.0.0.1:8021").join("\n"))).toEqual([]);
  });

  test.each([
    ["[ctx]\nexten => s,1,Macro(getcustomerdata,1)", "Macro() does not exist"],
    ["[ctx]\nexten => s,1,Dial(PJSIP/1,30", "not an Application(...) call"],
    ["[ctx]\nexten => s,1,Set(A=${B)", "unbalanced )"],
    ["[ctx]\nexten => s,1,Frobnicate(1)", "unknown application Frobnicate"],
    ["[ctx]\n same => n,NoOp(x)", "same => with no exten =>"],
    ["exten => s,1,NoOp(x)", "outside any [context]"],
    ["[ctx]\nthis is not dialplan", "neither a context"],
    ["[bad name]\nexten => s,1,NoOp()", "bad context name"],
  ])("%j is refused", (text, problem) => {
    expect(checkExtensionsConf(text).join("\n")).toContain(problem);
  });
});
