import { beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinary } from "../helpers/binary.ts";
import { IVR_CONFIG } from "../helpers/ivr-replay.ts";
import { LineReader } from "../helpers/line-reader.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

test("SIGTERM right after the listening line (systemd stopping a fresh start): a graceful stop, exit 0, every time", async () => {
  // Before the fix about half of these were killed by the signal's default action (exit 143).
  for (let i = 0; i < 4; i++) {
    const db = join(mkdtempSync(join(tmpdir(), "ivr-signals-")), "ivr.sqlite");
    const serve = Bun.spawn([binary, "serve", "--config", IVR_CONFIG, "--db", db, "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], { stdout: "pipe", stderr: "pipe" });
    const log = LineReader.fromStream(serve.stderr);
    for (;;) {
      const line = await log.next(10_000, "the listening line");
      if (line === undefined) throw new Error("ivr serve exited before listening");
      if (line.includes("FastAGI listening on")) break;
    }
    serve.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    expect((await log.closed()).join("\n")).toContain("SIGTERM: no new calls");
  }
});
