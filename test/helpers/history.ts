import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type History, openHistory } from "../../src/history/db.ts";
import type { NewCallRow } from "../../src/history/schema.ts";

/** A real SQLite file in a fresh temporary directory. */
export function tempHistory(): History {
  return openHistory(join(mkdtempSync(join(tmpdir(), "ivr-history-")), "ivr.sqlite"));
}

let next = 1;
/** A call row with sensible values; override what the test is about. */
export function callRow(overrides: Partial<NewCallRow> = {}): NewCallRow {
  const n = next++;
  return {
    uniqueid: `1795264000.${n}`,
    source: "ivr",
    direction: "inbound",
    startedAt: 1_795_264_000_000 + n * 1000,
    status: "answered",
    did: "0212345678",
    ...overrides,
  };
}
