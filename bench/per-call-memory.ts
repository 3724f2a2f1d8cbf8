/**
 * Row 5: the memory of concurrent per-call calls. N per-call `ivr` processes each held inside
 * EXEC Queue by agi-drive -H (as a caller waiting in a queue holds one), against N compiled
 * "hello" processes blocked on stdin (bench/hello/stdin.ts). Proportional memory (Pss from
 * /proc/PID/smaps_rollup) splits the pages they share, so the sum is what the group costs.
 * Then the calls are let go and must end cleanly. The config is cached first (one call), as
 * on a PBX whose config has not just changed: a call that parses the YAML costs ~3x more.
 * Last, `ivr serve` holds the same N calls inside EXEC Queue over FastAGI: its PSS then is
 * what per-call processes are compared with (from how many calls FastAGI needs less).
 */
import { join } from "node:path";
import { LineReader } from "../test/helpers/line-reader.ts";
import { ivrServe } from "./fastagi.ts";
import { parseDrive, perCallEnv } from "./per-call.ts";
import { freePort, pssKib, spawnTracked, stop, waitListening } from "./procs.ts";

/** After the last process is held: the first ones collect their garbage 200 ms into EXEC (src/agi/stdio.ts). */
const SETTLE_MS = 1000;

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
  /** Pss of one `ivr serve` holding the same number of calls in EXEC Queue over FastAGI. */
  servePssKib: number;
}

export async function measurePerCallMemory(driver: string, ivr: string, helloStdin: string, dir: string, count: number): Promise<PerCallMemoryRound> {
  const env = perCallEnv(dir);
  const warm = spawnTracked([driver, ivr], { env, stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  const warmed = parseDrive(await new Response(warm.stdout).text(), "the call that caches the config");
  if (warmed.rc !== 0) throw new Error(`the per-call ivr failed: exit ${warmed.rc}`);

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
  const servePss = await serveHoldingCalls(ivr, dir, count);
  return { ivrPssKib: ivrGroup.pssKib / count, helloPssKib: helloGroup.pssKib / count, servePssKib: servePss };
}

/** The agi-drive call over FastAGI (bench/peers/agi-load.ts's environment), held at EXEC until `release`. */
function fastAgiCall(port: number, id: number) {
  const env = [
    "agi_network: yes", "agi_network_script: ivr", `agi_request: agi://127.0.0.1:${port}/ivr`, `agi_channel: PJSIP/trunk-${id}`,
    "agi_language: en", "agi_type: PJSIP", `agi_uniqueid: ${1795264091 + process.pid}.${id}`, "agi_version: 22.11.0-rc1",
    "agi_callerid: +66812345678", "agi_calleridname: Test Caller", "agi_context: from-external", "agi_extension: 0212345678",
    "agi_priority: 1", "agi_enhanced: 0.0", "", "",
  ].join("\n");
  let held!: () => void;
  let ended!: () => void;
  const atExec = new Promise<void>((resolve) => (held = resolve));
  const closed = new Promise<void>((resolve) => (ended = resolve));
  let socket: Bun.Socket | undefined;
  let pressed = false;
  let buffered = "";
  const reply = (command: string) => {
    if (/^(STREAM FILE|GET OPTION)/i.test(command)) return pressed ? "200 result=0 endpos=16000" : ((pressed = true), "200 result=49 endpos=4000");
    if (/^GET VARIABLE MEMBERINTERFACE/i.test(command)) return "200 result=1 (PJSIP/150)";
    if (/^(VERBOSE|SET VARIABLE)/i.test(command)) return "200 result=1";
    return "200 result=0";
  };
  void Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      open(s) {
        socket = s;
        s.write(env);
      },
      data(s, data) {
        buffered += data.toString();
        for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
          const command = buffered.slice(0, end);
          buffered = buffered.slice(end + 1);
          if (/^EXEC (Queue|Dial)/i.test(command)) held();
          else s.write(`${reply(command)}\n`);
        }
      },
      close: () => ended(),
      error: () => ended(),
    },
  }).catch(() => ended());
  return {
    atExec,
    release: async () => {
      socket?.write("200 result=-1\n");
      await closed;
    },
  };
}

/** Pss of `ivr serve` (the compiled binary, the same config) while it holds `count` calls inside EXEC Queue. */
async function serveHoldingCalls(binary: string, dir: string, count: number): Promise<number> {
  const port = await freePort();
  const logFile = join(dir, "serve.log");
  const proc = ivrServe(binary).start(port, dir, logFile);
  try {
    await waitListening(proc, port, "ivr serve", logFile);
    const calls = Array.from({ length: count }, (_, i) => fastAgiCall(port, i + 1));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`ivr serve did not hold ${count} calls in EXEC Queue within 60 s`)), 60_000)));
    await Promise.race([Promise.all(calls.map((call) => call.atExec)), gaveUp]).finally(() => clearTimeout(timer));
    await Bun.sleep(SETTLE_MS);
    const pss = pssKib(proc.pid);
    await Promise.all(calls.map((call) => call.release()));
    return pss;
  } finally {
    await stop(proc, 10_000);
  }
}
