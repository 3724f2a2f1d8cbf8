import { Database } from "bun:sqlite";
import { beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openHistory } from "../../src/history/db.ts";
import { compiledBinary } from "../helpers/binary.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { connectFastAgi } from "../helpers/fastagi-client.ts";
import { IVR_CONFIG, IVR_FIXTURES } from "../helpers/ivr-replay.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { loadTranscript } from "../helpers/transcript.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

/**
 * `ivr serve` on `db`; `fileSizeLimitKb` runs it as on a full disk: RLIMIT_FSIZE (ulimit -f,
 * no root needed) makes every write past that offset fail (EFBIG), so SQLite's writes to its
 * WAL fail ("disk I/O error") while reads work; small files (the spool) still fit.
 */
async function serve(db: string, fileSizeLimitKb?: number) {
  const limit = fileSizeLimitKb === undefined ? "" : `ulimit -f ${fileSizeLimitKb}; `;
  const proc = Bun.spawn(["bash", "-c", `${limit}exec "$0" serve --config "$1" --db "$2" --fastagi 127.0.0.1:0 --http 127.0.0.1:0`, binary, IVR_CONFIG, db], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const log = LineReader.fromStream(proc.stderr);
  let http = 0;
  for (;;) {
    const line = await log.next(10_000, "the listening lines");
    if (line === undefined) throw new Error("ivr serve exited");
    http = Number(/HTTP API listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? http);
    const fastagi = Number(/FastAGI listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? 0);
    if (fastagi) return { proc, log, fastagi, get: (path: string) => fetch(`http://127.0.0.1:${http}${path}`) };
  }
}

type Health = { status: string; database: { status: string; writes: Record<string, unknown> & { last_error: { at: string; message: string } | null; spool: { files: number } } } };

test("writes failing (a full disk): /health degrades with the last error and counts, /metrics counts, and no call is lost", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ivr-full-disk-"));
  const db = join(dir, "ivr.sqlite");
  openHistory(db).close(); // the file exists (57 KB), its WAL gone: the first writes still fit
  const server = await serve(db, 36);
  const calls = ["fastagi-queue-at-once.txt", "fastagi-no-input.txt"];
  for (const file of calls) await playAsterisk(loadTranscript(join(IVR_FIXTURES, file)), await connectFastAgi(server.fastagi));

  let health: Health | undefined;
  let code = 0;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await Bun.sleep(50)) {
    const response = await server.get("/health");
    code = response.status;
    health = (await response.json()) as Health;
    if (health.database.writes.failed_records === 2) break;
  }
  expect(code).toBe(503);
  expect(health).toMatchObject({
    status: "degraded",
    database: { status: "write_failing", writes: { state: "failing", failed_records: 2, spooled_records: 2, lost_records: 0, pending_records: 0, spool: { files: 2 } } },
  });
  expect(health!.database.writes.last_error!.message).toMatch(/disk I\/O error|disk is full/);
  expect(Date.parse(health!.database.writes.last_error!.at)).not.toBeNaN();
  const metrics = await (await server.get("/metrics")).text();
  expect(metrics).toContain("ivr_history_records_failed_total 2");
  expect(metrics).toContain("ivr_history_spool_files 2");
  expect(metrics).toContain("ivr_history_writes_failing 1");
  server.proc.kill("SIGTERM");
  await server.proc.exited;

  // With room again, ivr serve imports the spool: both calls, once each, and /health is ok.
  const healed = await serve(db);
  const stored = () => {
    const check = new Database(db, { readonly: true });
    try {
      return check.query("SELECT status, digits FROM calls ORDER BY status").all();
    } finally {
      check.close();
    }
  };
  for (const deadline = Date.now() + 10_000; stored().length < 2 && Date.now() < deadline; ) await Bun.sleep(50);
  expect(stored()).toEqual([
    { status: "answered", digits: "9" },
    { status: "no_selection", digits: "," },
  ]);
  const after = await healed.get("/health");
  expect(after.status).toBe(200);
  expect(((await after.json()) as Health).database.writes.spool.files).toBe(0);
  healed.proc.kill("SIGTERM");
  expect(await healed.proc.exited).toBe(0);
}, 60_000);
