/**
 * Row 5: the memory of concurrent per-call calls. N per-call `ivr` processes each held inside
 * EXEC Queue by agi-drive -H (as a caller waiting in a queue holds one), against N compiled
 * "hello" processes blocked on stdin (bench/hello/stdin.ts). Proportional memory (Pss from
 * /proc/PID/smaps_rollup) splits the pages they share, so the sum is what the group costs.
 * Then the calls are let go and must end cleanly.
 */
import { LineReader } from "../test/helpers/line-reader.ts";
import { pssKib, spawnTracked } from "./procs.ts";
import { parseDrive, perCallEnv } from "./per-call.ts";

const SETTLE_MS = 500;

async function heldTogether<T>(count: number, start: () => Promise<{ pid: number; release: () => Promise<T> }>) {
  const started = await Promise.allSettled(Array.from({ length: count }, start));
  const held = started.flatMap((one) => (one.status === "fulfilled" ? [one.value] : []));
  const failure = started.find((one) => one.status === "rejected");
  if (failure) {
    await Promise.allSettled(held.map((one) => one.release())); // let the others go before giving up
    throw failure.reason;
  }
  await Bun.sleep(SETTLE_MS);
  const pss = held.reduce((sum, one) => sum + pssKib(one.pid), 0);
  const results = await Promise.all(held.map((one) => one.release()));
  return { pssKib: pss, results };
}

export interface PerCallMemoryRound extends Record<string, number> {
  /** Pss per process, KiB (the group's sum divided by its size). */
  ivrPssKib: number;
  helloPssKib: number;
}

export async function measurePerCallMemory(driver: string, ivr: string, helloStdin: string, dir: string, count: number): Promise<PerCallMemoryRound> {
  const env = perCallEnv(dir);
  const ivrGroup = await heldTogether(count, async () => {
    const proc = spawnTracked([driver, "-H", ivr], { env, stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    const lines = LineReader.fromStream(proc.stdout);
    const heldLine = await lines.next(60_000, "the call to reach EXEC Queue");
    const pid = Number(/^held (\d+)$/.exec(heldLine ?? "")?.[1]);
    if (!pid) throw new Error(`a per-call ivr did not reach EXEC Queue: ${JSON.stringify(heldLine)} ${JSON.stringify(await lines.next(5000).catch(() => undefined))}`);
    return {
      pid,
      release: async () => {
        proc.stdin.end();
        const result = parseDrive(await lines.next(60_000, "the held call to end"), "a held ivr");
        await proc.exited;
        return result;
      },
    };
  });
  const failed = ivrGroup.results.filter((result) => result.rc !== 0).length;
  if (failed) throw new Error(`${failed} of ${count} held per-call ivr processes failed once released`);

  const helloGroup = await heldTogether(count, async () => {
    const proc = spawnTracked([helloStdin], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    const lines = LineReader.fromStream(proc.stdout);
    if ((await lines.next(60_000, "hello to start")) !== "hello") throw new Error("hello-stdin did not start");
    return {
      pid: proc.pid,
      release: async () => {
        proc.stdin.end();
        return proc.exited;
      },
    };
  });
  return { ivrPssKib: ivrGroup.pssKib / count, helloPssKib: helloGroup.pssKib / count };
}
