/**
 * Other benchmarks `bun run bench` includes when their file exists (each is written by other
 * work). The contract: a script run on its own as `bun bench/<file>`, with BENCH_SECONDS,
 * BENCH_ROUNDS, BENCH_BINARY (the compiled ivr) and BENCH_DIR (.bench/) in its environment.
 * Its stdout is printed under its title; if its last line is a JSON object, that object goes
 * into .bench/results.json under extras.<name>. To add one, add a line here.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { BUN, spawnTracked, WORK } from "./procs.ts";

export const EXTRA_BENCHES = [
  { name: "config", file: "config.ts", title: "Config parsing" },
  { name: "ami", file: "ami.ts", title: "AMI ingestion" },
  { name: "outbox", file: "outbox.ts", title: "Outbox (webhooks, CRM sync)" },
  { name: "originate", file: "originate.ts", title: "Outbound calls: the originate API and a paced campaign" },
];

const TIMEOUT_MS = 15 * 60_000;

export interface ExtraResult {
  title: string;
  output: string;
  figures?: unknown;
  error?: string;
}

export async function runExtras(env: { seconds: number; rounds: number; binary: string }): Promise<Record<string, ExtraResult>> {
  const results: Record<string, ExtraResult> = {};
  for (const bench of EXTRA_BENCHES) {
    const file = join(import.meta.dir, bench.file);
    if (!existsSync(file)) continue;
    const proc = spawnTracked([BUN, file], {
      cwd: join(import.meta.dir, ".."),
      env: { ...process.env, BENCH_SECONDS: String(env.seconds), BENCH_ROUNDS: String(env.rounds), BENCH_BINARY: env.binary, BENCH_DIR: WORK },
      stdout: "pipe",
      stderr: "inherit",
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), TIMEOUT_MS);
    const [output, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    clearTimeout(timer);
    const last = output.trim().split("\n").pop() ?? "";
    let figures: unknown;
    try {
      figures = last.startsWith("{") ? JSON.parse(last) : undefined;
    } catch {
      figures = undefined;
    }
    results[bench.name] = { title: bench.title, output, figures, ...(code === 0 ? {} : { error: `bun bench/${bench.file} exited with ${code}` }) };
  }
  return results;
}
