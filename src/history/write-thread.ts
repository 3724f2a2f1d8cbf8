/**
 * The history writer thread of ivr serve (a Worker; see background-writer.ts): it opens its
 * own connection to the history and runs the write queue's batches, so that waiting for the
 * disk (a commit, a checkpoint's fsync) or for another process's lock never holds up the
 * event loop. It only runs SQL it is given: the history layer builds it.
 */
import { Database } from "bun:sqlite";
import type { ToWriter } from "./background-writer.ts";
import { runBatch } from "./write-batch.ts";

declare const self: Worker;

let sqlite: Database | undefined;
let openError: string | undefined;

self.onmessage = ({ data }: MessageEvent<ToWriter>) => {
  switch (data.type) {
    case "open":
      try {
        sqlite = new Database(data.path, { strict: true });
        sqlite.run(`PRAGMA busy_timeout = ${Math.trunc(data.busyTimeoutMs)}`);
        // Per connection: durable across application crashes in WAL mode (see db.ts).
        sqlite.run("PRAGMA synchronous = NORMAL");
      } catch (error) {
        openError = `cannot open the history: ${(error as Error).message}`;
      }
      return;
    case "write":
      postMessage({ id: data.id, outcome: sqlite ? runBatch(sqlite, JSON.parse(data.parts)) : { state: "failed", message: openError ?? "the history is closed" } });
      return;
    case "close":
      sqlite?.close();
      sqlite = undefined;
      postMessage({ id: data.id, outcome: { state: "written" } });
  }
};
