import { beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinary } from "../helpers/binary.ts";
import { SMART_CONFIG } from "../helpers/http-app.ts";
import { LineReader } from "../helpers/line-reader.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

/** The Smart fixture with enterprise 0400's token as a migrating administrator has it: 6 characters. */
function configWithShortToken(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), "ivr-short-token-"));
  const config = join(dir, "ivr.yaml");
  writeFileSync(config, readFileSync(SMART_CONFIG, "utf8").replace("literal-token-of-enterprise-0400", "id0400"));
  return { dir, config };
}

const ENV = { PATH: process.env.PATH ?? "/usr/bin:/bin", SMART_TOKEN_0367: "a-long-enough-token-0367", IVR_TEST_ADMIN_TOKEN: "an-admin-token-long-enough" };

test("a short enterprise token: ivr check passes with a loud warning, ivr serve starts and says it", async () => {
  const { dir, config } = configWithShortToken();
  const check = Bun.spawn([binary, "check", "--config", config], { stdout: "pipe", stderr: "pipe", env: ENV });
  const [stdout, code] = await Promise.all([new Response(check.stdout).text(), check.exited]);
  expect(code).toBe(0);
  expect(stdout).toMatch(/^ +WARNING: the token of enterprise 0400 has only 6 characters: it can be guessed/m);

  const serve = Bun.spawn([binary, "serve", "--config", config, "--db", join(dir, "ivr.sqlite"), "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
    stdout: "pipe",
    stderr: "pipe",
    env: ENV,
  });
  const log = LineReader.fromStream(serve.stderr);
  const seen: string[] = [];
  for (;;) {
    const line = await log.next(10_000, "ivr serve to start");
    if (line === undefined) throw new Error(`ivr serve exited:\n${seen.join("\n")}`);
    seen.push(line);
    if (line.includes("FastAGI listening on")) break;
  }
  expect(seen.join("\n")).toContain("WARNING: the token of enterprise 0400 has only 6 characters");
  expect(seen.join("\n")).not.toContain("0367 has only");
  serve.kill("SIGTERM");
  expect(await serve.exited).toBe(0);
});
