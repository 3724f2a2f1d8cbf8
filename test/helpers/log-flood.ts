/**
 * Logs LINES lines of 100 bytes through the process's stderr sink and reports on stdout how
 * it went: how long pushing took, how many lines were dropped, fd 2's flags.
 * Usage: bun test/helpers/log-flood.ts LINES
 */
import { readFileSync } from "node:fs";
import { createLogger, flushLogs, stderrSink } from "../../src/log.ts";

const lines = Number(process.argv[2] ?? 1000);
const log = createLogger();
const started = performance.now();
for (let i = 0; i < lines; i++) log.info(`line ${i} ${"x".repeat(60)}`);
const pushMs = performance.now() - started;
const flags = /flags:\s+(\d+)/.exec(readFileSync("/proc/self/fdinfo/2", "utf8"))![1]!;
process.stdout.write(`${JSON.stringify({ pushMs, dropped: stderrSink.dropped, flags })}\n`);
await flushLogs(50);
process.exit(0);
