/**
 * Builds the single `ivr` executable: `bun scripts/build.ts [OUTFILE]` (default dist/ivr).
 * Used by `npm run build`, the tests and the benchmark, so all of them run the same binary.
 */
import { statSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = join(import.meta.dir, "..");

/** How the code is bundled into the binary; test/cli/per-call-imports.test.ts inspects the same bundle. */
export const BUNDLE = {
  // The history writer thread of ivr serve is a Worker: a compiled binary has only the
  // entry points it was built with.
  entrypoints: [join(ROOT, "src", "main.ts"), join(ROOT, "src", "history", "write-thread.ts")],
  target: "bun",
  format: "esm",
  minify: true,
  // Each lazily imported command becomes its own chunk inside the binary, loaded only when
  // imported: the per-call AGI path does not pay start-up for the HTTP server, the YAML
  // parser or the database layer (measured: bundled-but-unused code cost ~6 ms per start).
  splitting: true,
} satisfies Bun.BuildConfig;

export async function buildBinary(outfile: string): Promise<string> {
  const target = resolve(outfile);
  const result = await Bun.build({
    ...BUNDLE,
    bytecode: true,
    compile: {
      outfile: target,
      // The binary runs from agi-bin with Asterisk's working directory: it must not pick up
      // a stray .env or bunfig.toml there, and skipping the lookups saves start-up time.
      autoloadDotenv: false,
      autoloadBunfig: false,
    },
  });
  if (!result.success) {
    throw new AggregateError(result.logs, `build failed:\n${result.logs.map(String).join("\n")}`);
  }
  return target;
}

if (import.meta.main) {
  const out = await buildBinary(process.argv[2] ?? join(ROOT, "dist", "ivr"));
  console.log(`built ${out} (${(statSync(out).size / 1024 / 1024).toFixed(1)} MiB)`);
}
