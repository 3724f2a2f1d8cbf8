import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLE } from "../../scripts/build.ts";

// What a per-call process loads is what the binary's chunks import: the same bundle as
// scripts/build.ts, inspected through its metafile. Every module and built-in here is paid
// by every call (node:util or node:tty cost about 1-3 ms each); timings stay in bench/.

let meta: Bun.BuildMetafile;

beforeAll(async () => {
  const result = await Bun.build({ ...BUNDLE, outdir: mkdtempSync(join(tmpdir(), "ivr-bundle-")), metafile: true });
  if (!result.success || !result.metafile) throw new AggregateError(result.logs, "bundling failed");
  meta = typeof result.metafile === "string" ? JSON.parse(result.metafile) : result.metafile;
}, 60_000);

/** The modules and built-ins loaded once these entry points (main.ts and lazily imported files) have been imported. */
function loadedBy(entryPoints: string[]) {
  const outputs = Object.entries(meta.outputs);
  const pending = outputs.filter(([, output]) => entryPoints.some((entry) => output.entryPoint?.endsWith(entry))).map(([path]) => path);
  expect(pending).toHaveLength(entryPoints.length);
  const chunks = new Set<string>();
  while (pending.length) {
    const path = pending.pop()!;
    if (chunks.has(path)) continue;
    chunks.add(path);
    const output = Object.entries(meta.outputs).find(([key]) => key === path || key.endsWith(path.replace(/^\.\//, "")))?.[1];
    for (const chunk of output?.imports ?? []) if (chunk.kind === "import-statement") pending.push(chunk.path);
  }
  const modules = new Set(outputs.filter(([path]) => [...chunks].some((chunk) => path.endsWith(chunk.replace(/^\.\//, "")))).flatMap(([, output]) => Object.keys(output.inputs)));
  const builtins = new Set(
    [...modules].flatMap((module) => (meta.inputs[module]?.imports ?? []).filter((i) => i.external && !i.entryPoint && i.kind === "import-statement").map((i) => i.original ?? i.path)),
  );
  const packages = new Set([...modules].flatMap((module) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module)?.[1] ?? []));
  return { modules, builtins, packages };
}

describe("what a per-call process loads", () => {
  test("until the call is released: the AGI core and the IVR, no package; node:fs alone (node:os counts the CPUs at start-up, node:path costs 0.6 ms)", () => {
    const { modules, builtins, packages } = loadedBy(["src/main.ts", "src/cli/agi.ts"]);
    expect([...packages]).toEqual([]);
    expect([...builtins].sort()).toEqual(["node:fs"]);
    // The command line's parser and help text are for people, not for calls.
    for (const module of modules) expect(module).not.toMatch(/cli\/(args|usage|commands)\.ts$/);
  });

  test("after the release, to record the call: bun:sqlite and libphonenumber, never drizzle, the YAML parser or zod", () => {
    const { builtins, packages } = loadedBy(["src/main.ts", "src/cli/agi.ts", "src/history/sinks.ts", "src/history/record.ts"]);
    expect([...packages]).toEqual(["libphonenumber-js"]);
    expect(builtins.has("bun:sqlite")).toBe(true);
    expect(builtins.has("node:util")).toBe(false);
  });
});
