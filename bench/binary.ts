/**
 * The per-call path: spawn the compiled binary as Asterisk does, play one stdin session
 * (environment, a reply per command) and wait for it to exit.
 */
import { recordedStdinEnv } from "./recorded-env.ts";

const ENV = `${recordedStdinEnv().join("\n")}\n`;

function replyTo(command: string): string {
  if (command === "CHANNEL STATUS") return "200 result=6\n";
  if (command.startsWith("STREAM FILE")) return "200 result=49 endpos=8000\n";
  if (command.startsWith("GET VARIABLE")) return "200 result=1 (+66812345678)\n";
  return "200 result=1\n";
}

export async function oneStdinSession(binary: string): Promise<number> {
  const started = performance.now();
  const proc = Bun.spawn([binary], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "ignore",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AST_AGI_DIR: "/var/lib/asterisk/agi-bin" },
  });
  proc.stdin.write(ENV);
  await proc.stdin.flush();
  let partial = "";
  for await (const chunk of proc.stdout) {
    const lines = (partial + new TextDecoder().decode(chunk)).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) proc.stdin.write(replyTo(line));
    await proc.stdin.flush();
  }
  const code = await proc.exited;
  if (code !== 0) throw new Error(`ivr exited with ${code}`);
  return performance.now() - started;
}

export async function startupOnly(binary: string): Promise<number> {
  const started = performance.now();
  const code = await Bun.spawn([binary, "version"], { stdout: "ignore" }).exited;
  if (code !== 0) throw new Error(`ivr version exited with ${code}`);
  return performance.now() - started;
}
