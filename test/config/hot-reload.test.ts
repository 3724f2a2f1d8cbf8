import { afterEach, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FastAgiServer, startFastAgiServer } from "../../src/agi/fastagi-server.ts";
import { ConfigStore } from "../../src/config/store.ts";
import { ivrHandler } from "../../src/ivr/handler.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { connectFastAgi, envText, withScript } from "../helpers/fastagi-client.ts";
import { IVR_CONFIG, IVR_FIXTURES } from "../helpers/ivr-replay.ts";
import { loadTranscript, type Transcript } from "../helpers/transcript.ts";
import { waitFor } from "../helpers/wait.ts";

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

/** The recorded queue call, expecting `queue` instead of 10001. */
function queueCallTo(queue: string): Transcript {
  const base = withScript(loadTranscript(join(IVR_FIXTURES, "stdin-queue-after-timeout.txt")), "ivr");
  return { ...base, steps: base.steps.map((s) => (s.kind === "agi" ? { ...s, line: s.line.replace("10001", queue) } : s)) };
}

test("ivr serve reloads the config while calls run; each call keeps the config it started with", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ivr-reload-"));
  const path = join(dir, "ivr.yaml");
  copyFileSync(IVR_CONFIG, path);
  const { log, text } = captureLog();
  const store = ConfigStore.open(path, log);
  cleanup.push(store.watch(30));
  const server: FastAgiServer = startFastAgiServer({
    hostname: "127.0.0.1",
    port: 0,
    route: () => ivrHandler(() => store.current),
    log,
  });
  cleanup.push(() => server.stop(0));
  const edit = (from: string, to: string) => readFileSync(path, "utf8").replace(from, to);

  // A call that has pressed 1 and waits for the inter-digit timeout, on generation 1.
  const early = await connectFastAgi(server.port);
  const script = queueCallTo("10001");
  early.write(envText(script.env));
  for (const reply of ["200 result=1", "200 result=4", "200 result=0", "200 result=49 endpos=13760"]) {
    await early.lines.next();
    early.write(`${reply}\n`);
  }
  expect(await early.lines.next()).toBe("WAIT FOR DIGIT 3000");

  // In-place edit.
  writeFileSync(path, edit('"1": "10001"', '"1": "20001"'));
  const queue1 = () => store.current.config.default?.queues?.["1"];
  await waitFor(() => queue1() === "20001", "the in-place edit to load");
  await playAsterisk(queueCallTo("20001"), await connectFastAgi(server.port));

  // The early call finishes on the config it started with.
  early.write("200 result=0\n");
  expect(await early.lines.next()).toBe('VERBOSE "Routing to queue: 10001" 1');
  early.write("200 result=1\n");
  expect(await early.lines.next()).toBe("EXEC Queue 10001");
  early.close();

  // An editor's save: a new file renamed over the old one.
  writeFileSync(join(dir, ".ivr.yaml.tmp"), edit('"1": "20001"', '"1": "30001"'));
  renameSync(join(dir, ".ivr.yaml.tmp"), path);
  await waitFor(() => queue1() === "30001", "the rename-save to load");
  const generation = store.current.generation;
  await playAsterisk(queueCallTo("30001"), await connectFastAgi(server.port));

  // An invalid edit: logged with its position, the last good config stays.
  writeFileSync(path, edit("  max_attempts: 3\n", "  max_attempts: [3\n"));
  await waitFor(() => text().includes("config not reloaded"), "the invalid edit to be rejected");
  expect(text()).toMatch(/ivr\.yaml:\d+:\d+: YAML syntax: /);
  expect(store.current.generation).toBe(generation);
  await playAsterisk(queueCallTo("30001"), await connectFastAgi(server.port));

  // Fixed again: picked up.
  writeFileSync(path, edit("  max_attempts: [3\n", "  max_attempts: 3\n").replace('"1": "30001"', '"1": "40001"'));
  await waitFor(() => queue1() === "40001", "the fixed file to load");
  await playAsterisk(queueCallTo("40001"), await connectFastAgi(server.port));
});
