/**
 * Config reading and validation time by DID count (YAML parse, aliases, schema, cross
 * checks): what `ivr check`, a per-call process with a changed file and ivr serve's reload
 * child each pay. `bun bench/config.ts` alone, or within `bun run bench` (an extra, see
 * extras.ts: the table, then its figures as one JSON line).
 */
import { parseConfig } from "../src/config/load.ts";

/**
 * DIDs as administrators write them. "own menu": each its own welcome sound and two queues
 * (five lines, about 100 bytes); "shared": each `queues: *q` (two lines, about 35 bytes).
 */
export type DidShape = "own menu" | "shared";

export function benchConfig(dids: number, shape: DidShape = "own menu"): string {
  const out = ["default:", "  welcome_sound: ivr/welcome", "  queues: &shared", '    "1": "10001"', '    "2": "10002"', "dids:"];
  for (let i = 0; i < dids; i++) {
    out.push(`  "02${String(i).padStart(8, "0")}":`);
    if (shape === "shared") out.push("    queues: *shared");
    else out.push(`    welcome_sound: custom/welcome-${i}`, "    queues:", `      "1": "${10000 + (i % 500)}"`, `      "2": "${20000 + (i % 500)}"`);
  }
  return `${out.join("\n")}\n`;
}

export interface ConfigTiming {
  dids: number;
  shape: DidShape;
  bytes: number;
  /** The median of the runs, in ms. */
  ms: number;
}

const CASES: ReadonlyArray<[number, DidShape]> = [
  [1_000, "own menu"],
  [10_000, "own menu"],
  [100_000, "own menu"],
  [10_000, "shared"],
  [100_000, "shared"],
];

export function measureConfig(cases: ReadonlyArray<[number, DidShape]> = CASES): ConfigTiming[] {
  // JIT warm-up: the first parses of a process are slower (a per-call process pays that too).
  for (let i = 0; i < 3; i++) parseConfig(benchConfig(2_000), "warm-up.yaml");
  return cases.map(([dids, shape]) => {
    const text = benchConfig(dids, shape);
    const samples: number[] = [];
    for (let i = 0; i < (dids >= 100_000 ? 1 : 3); i++) {
      const started = performance.now();
      const config = parseConfig(text, "bench.yaml");
      samples.push(performance.now() - started);
      if (Object.keys(config.dids ?? {}).length !== dids) throw new Error("the bench config lost DIDs");
    }
    return { dids, shape, bytes: text.length, ms: samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]! };
  });
}

export function printConfigTimings(timings: readonly ConfigTiming[]): void {
  console.log("\nConfig read and validated in one process (median of 3; 1 run at 100,000), by DID count:");
  console.log("   DIDs | DIDs written as |     file | validate | per 1,000 DIDs");
  for (const { dids, shape, bytes, ms } of timings) {
    const size = `${(bytes / 1024 / 1024).toFixed(1)} MB`;
    console.log(`${dids.toLocaleString("en-US").padStart(7)} | ${shape.padEnd(15)} | ${size.padStart(8)} | ${`${ms.toFixed(0)} ms`.padStart(8)} | ${((ms / dids) * 1000).toFixed(0)} ms`);
  }
}

if (import.meta.main) {
  const timings = measureConfig();
  printConfigTimings(timings);
  console.log(JSON.stringify({ timings }));
}
