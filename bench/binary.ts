/**
 * The per-call path: spawn the compiled binary as Asterisk does, play one IVR call over
 * stdin (environment, a reply per command: key 1, Queue answered) and wait for it to exit.
 */
import { recordedStdinEnv } from "./recorded-env.ts";

const ENV = `${recordedStdinEnv().join("\n")}\n`;

function replyTo(command: string): string {
  if (command === "CHANNEL STATUS") return "200 result=6\n";
  if (command.startsWith("STREAM FILE")) return "200 result=49 endpos=8000\n";
  if (command.startsWith("WAIT FOR DIGIT")) return "200 result=0\n";
  if (command.startsWith("EXEC")) return "200 result=-1\n";
  if (command.startsWith("GET VARIABLE")) return "200 result=1 (2)\n";
  return "200 result=1\n";
}

export interface StdinTiming {
  /** Spawn to EOF on its stdout: when Asterisk continues the dialplan. */
  released: number;
  /** Spawn to exit: the call record written too. */
  exited: number;
  commands: number;
}

/** Runs one call. */
export async function oneStdinSession(binary: string, env: Record<string, string>): Promise<StdinTiming> {
  const started = performance.now();
  const proc = Bun.spawn([binary], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "ignore",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AST_AGI_DIR: "/var/lib/asterisk/agi-bin", ...env },
  });
  proc.stdin.write(ENV);
  await proc.stdin.flush();
  let partial = "";
  let commands = 0;
  for await (const chunk of proc.stdout) {
    const lines = (partial + new TextDecoder().decode(chunk)).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      commands++;
      proc.stdin.write(replyTo(line));
    }
    await proc.stdin.flush();
  }
  const released = performance.now() - started;
  const code = await proc.exited;
  if (code !== 0) throw new Error(`ivr exited with ${code}`);
  return { released, exited: performance.now() - started, commands };
}

export async function startupOnly(binary: string): Promise<number> {
  const started = performance.now();
  const code = await Bun.spawn([binary, "version"], { stdout: "ignore" }).exited;
  if (code !== 0) throw new Error(`ivr version exited with ${code}`);
  return performance.now() - started;
}
