import { LineReader } from "./line-reader.ts";

export interface ServeProcess {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** The FastAGI and HTTP ports it listens on, read from its log. */
  fastagiPort: number;
  httpPort: number;
  /** Every log line read so far, up to the last of the next steps. */
  seen: string[];
  log: LineReader;
  /** SIGTERM, then every log line it wrote until it exited. */
  stop(): Promise<{ code: number; log: string[] }>;
}

/**
 * Runs `command` (an `ivr serve` command line at log level info, e.g. an installed unit's
 * ExecStart with `--fastagi 127.0.0.1:0 --http 127.0.0.1:0` appended) until it has logged
 * where it listens and the next steps.
 */
export async function startServeProcess(command: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<ServeProcess> {
  const proc = Bun.spawn(command, { cwd: options.cwd, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const log = LineReader.fromStream(proc.stderr);
  const seen: string[] = [];
  let fastagiPort: number | undefined;
  let httpPort: number | undefined;
  while (fastagiPort === undefined || httpPort === undefined) {
    const line = await log.next(15_000, "the listening lines");
    if (line === undefined) throw new Error(`ivr serve exited:\n${seen.join("\n")}`);
    seen.push(line);
    httpPort ??= Number(/HTTP API listening on \S+:(\d+)$/.exec(line)?.[1] ?? NaN) || undefined;
    fastagiPort ??= Number(/FastAGI listening on \S+:(\d+) /.exec(line)?.[1] ?? NaN) || undefined;
  }
  // At info level the next steps follow the listening lines; the last one is /health.
  for (;;) {
    const line = await log.next(15_000, "the next steps");
    if (line === undefined) throw new Error(`ivr serve exited:\n${seen.join("\n")}`);
    seen.push(line);
    if (/INFO {3}health: /.test(line)) break;
  }
  return {
    proc,
    fastagiPort,
    httpPort,
    seen,
    log,
    async stop() {
      proc.kill("SIGTERM");
      const rest = await log.closed(40_000);
      return { code: await proc.exited, log: [...seen, ...rest] };
    },
  };
}
