import { beforeAll, describe, expect, test } from "bun:test";
import { compiledBinary } from "../helpers/binary.ts";
import { connectFastAgi, envText, fastAgiEnv } from "../helpers/fastagi-client.ts";
import { LineReader } from "../helpers/line-reader.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

/** Starts `ivr serve` on a free port and reads the port from its log. */
async function startServe(args: string[]) {
  const proc = Bun.spawn([binary, "serve", "--fastagi", "127.0.0.1:0", ...args], { stdout: "pipe", stderr: "pipe" });
  const log = LineReader.fromStream(proc.stderr);
  const seen: string[] = [];
  for (;;) {
    const line = await log.next(10_000, "the listening line");
    if (line === undefined) throw new Error(`ivr serve exited: ${seen.join("\n")}`);
    seen.push(line);
    const port = /FastAGI listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1];
    if (port) return { proc, port: Number(port), log, seen };
  }
}

async function logLine(log: LineReader, text: string): Promise<string> {
  for (;;) {
    const line = await log.next(5000, `a log line with "${text}"`);
    if (line === undefined) throw new Error(`the log ended without "${text}"`);
    if (line.includes(text)) return line;
  }
}

/** Drives the greeting up to its prompt, where it waits for Asterisk. */
async function callUpToPrompt(port: number) {
  const client = await connectFastAgi(port);
  client.write(envText(fastAgiEnv("ivr")));
  expect(await client.lines.next()).toBe("CHANNEL STATUS");
  client.write("200 result=6\n");
  expect(await client.lines.next()).toStartWith("VERBOSE");
  client.write("200 result=1\n");
  expect(await client.lines.next()).toBe('STREAM FILE demo-congrats "0123456789*#"');
  return client;
}

describe("ivr serve and SIGTERM", () => {
  test("stops accepting, lets the call in flight finish, exits 0", async () => {
    const { proc, port, log } = await startServe(["--shutdown-grace", "10"]);
    const client = await callUpToPrompt(port);
    proc.kill("SIGTERM");
    await logLine(log, "SIGTERM: no new calls");
    await expect(connectFastAgi(port)).rejects.toThrow();

    client.write("200 result=50 endpos=800\n");
    expect(await client.lines.next()).toBe('VERBOSE "ivr: caller pressed 2" 1');
    client.write("200 result=1\n");
    expect(await client.lines.next()).toBe("GET VARIABLE CALLERID(num)");
    client.write("200 result=1 (+66812345678)\n");
    expect(await client.lines.closed()).toEqual([]);
    expect(await proc.exited).toBe(0);
  });

  test("a call still running at the deadline is closed, then exit 0", async () => {
    const { proc, port } = await startServe(["--shutdown-grace", "0.3"]);
    const client = await callUpToPrompt(port);
    proc.kill("SIGTERM");
    expect(await client.lines.closed()).toEqual([]);
    expect(await proc.exited).toBe(0);
  });
});
