/** The machine line printed with the figures: cores, CPU, the runtimes and peer versions, the load. */
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { BUN, WORK } from "./procs.ts";

const firstLine = (cmd: string[]) => {
  if (!Bun.which(cmd[0]!)) return undefined;
  const result = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  const text = `${result.stdout}${result.stderr}`.trim(); // wrk --version exits with 1
  return text ? text.split("\n")[0] : undefined;
};

export function describeMachine() {
  const bun = firstLine([BUN, "--version"]) ?? "missing";
  const node = firstLine(["node", "--version"]);
  const cores = cpus().length;
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const platform = `${process.platform}-${process.arch}`;
  return {
    cores,
    cpu,
    bun,
    /** The Bun running the benchmark builds the product; it should be the project's. */
    runnerBun: Bun.version,
    node,
    platform,
    line: `${cores} cores (${cpu}), Bun ${bun}${bun === Bun.version ? "" : ` (the product built by Bun ${Bun.version})`}, Node ${node ?? "missing"}, ${platform}`,
    loadAtStart: loadavg()[0]!,
  };
}

/** Peer versions, read once the peers are installed. */
export function peerVersions() {
  const dingDong = join(WORK, "peers", "node_modules", "ding-dong", "package.json");
  return {
    dingDong: existsSync(dingDong) ? (JSON.parse(readFileSync(dingDong, "utf8")) as { version: string }).version : undefined,
    wrk: firstLine(["wrk", "--version"]),
  };
}
