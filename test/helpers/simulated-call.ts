import { SimulatedAsterisk, type Simulation, simulatedEnv } from "../../src/agi/simulator.ts";
import { LineSplitter } from "../../src/agi/lines.ts";

/**
 * One call through a per-call `ivr` process, started as Asterisk starts an agi-bin script
 * (AST_AGI_DIR set, the environment on stdin), with the simulator answering its commands.
 * Resolves with the simulated side and the process's exit code and stderr.
 */
export async function perCallSimulated(binary: string, sim: Simulation, options: { cwd?: string; env?: Record<string, string> } = {}) {
  const proc = Bun.spawn([binary], {
    cwd: options.cwd,
    env: { PATH: "/usr/bin:/bin", AST_AGI_DIR: "/var/lib/asterisk/agi-bin", ...options.env },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const stderr = new Response(proc.stderr).text();
  const asterisk = new SimulatedAsterisk(sim, (text) => {
    proc.stdin.write(text);
    void proc.stdin.flush();
  });
  proc.stdin.write(simulatedEnv(sim, `${Math.floor(Date.now() / 1000)}.${proc.pid}`));
  void proc.stdin.flush();
  const lines = new LineSplitter();
  for await (const chunk of proc.stdout) for (const line of lines.push(chunk)) asterisk.write(`${line}\n`);
  proc.stdin.end();
  return { asterisk, code: await proc.exited, stderr: await stderr };
}
