import { afterEach, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFastAgiServer } from "../../src/agi/fastagi-server.ts";
import { readConfigInChild } from "../../src/config/child.ts";
import { ConfigStore, readInProcess } from "../../src/config/store.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { sharedQueues } from "../helpers/config-texts.ts";
import { connectFastAgi, envText, fastAgiEnv } from "../helpers/fastagi-client.ts";
import { IVR_CONFIG } from "../helpers/ivr-replay.ts";

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/**
 * A FastAGI call that asks for a variable over and over, and a store reloading a large file:
 * how many commands the call got answered while the reload was running.
 */
async function commandsAnsweredDuringReload(reader: Parameters<typeof ConfigStore.open>[2]): Promise<{ answered: number; reloaded: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), "ivr-offloop-"));
  const path = join(dir, "ivr.yaml");
  copyFileSync(IVR_CONFIG, path);
  const { log } = captureLog();
  const store = ConfigStore.open(path, log, reader);
  const server = startFastAgiServer({
    hostname: "127.0.0.1",
    port: 0,
    route: () => async (channel) => {
      for (;;) await channel.getVariable("PROGRESS");
    },
    log,
  });
  cleanup.push(() => server.stop(0));
  const call = await connectFastAgi(server.port);
  cleanup.push(() => call.close());
  call.write(envText(fastAgiEnv("loop")));
  expect(await call.lines.next()).toBe("GET VARIABLE PROGRESS");

  writeFileSync(path, sharedQueues(30_000));
  let done = false;
  const reload = store.reload().finally(() => (done = true));
  let answered = 0;
  while (!done) {
    call.write("200 result=1 (x)\n");
    expect(await call.lines.next(60_000, "the next command")).toBe("GET VARIABLE PROGRESS");
    if (!done) answered++;
  }
  return { answered, reloaded: (await reload) && Object.keys(store.current.config.dids ?? {}).length === 30_000 };
}

test("ivr serve's reload reads in a child process: a call in progress keeps getting answers while a large file is parsed", async () => {
  const { answered, reloaded } = await commandsAnsweredDuringReload(readConfigInChild);
  expect(reloaded).toBe(true);
  expect(answered).toBeGreaterThan(0);
}, 90_000);

test("(the contrast: read in process, the same reload answers nothing until it is done)", async () => {
  const { answered, reloaded } = await commandsAnsweredDuringReload(readInProcess);
  expect(reloaded).toBe(true);
  expect(answered).toBe(0);
}, 90_000);
