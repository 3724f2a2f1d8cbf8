import { LogSink } from "./log-sink.ts";
import { nonBlockingWriter } from "./log-writers.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const LABEL: Record<LogLevel, string> = { debug: "DEBUG", info: "INFO", warn: "WARN", error: "ERROR" };

// A busy server logs many lines within one millisecond: the same text for each.
let stampedAt = Number.NaN;
let stamp = "";
function timestamp(): string {
  const now = Date.now();
  if (now !== stampedAt) {
    stampedAt = now;
    stamp = new Date(now).toISOString();
  }
  return stamp;
}

/** Longer messages are cut: a log line is for a person, and the sink's queue is bounded. */
const MAX_MESSAGE_LENGTH = 16 * 1024;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** The same logger with a prefix, e.g. the call's uniqueid. */
  with(prefix: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; the process's stderr sink by default. */
  write?: (line: string) => void;
  prefix?: string;
}

let inBackground = false;
/** The process's stderr: never blocks, drops (and counts) lines when stderr is too slow. */
export const stderrSink = new LogSink(() => nonBlockingWriter(2, { regularFilesOffThread: inBackground }));

/** How long ivr serve gathers log lines before writing them. */
const SERVER_GATHER_MS = 20;

/**
 * For ivr serve, before its first line: lines gathered for a few milliseconds and written
 * together, and a stderr that is a file written off the event loop. A per-call process keeps
 * writing at the end of each turn, synchronously, so that nothing is lost at its exit.
 */
export function logInBackground(): void {
  inBackground = true;
  stderrSink.gatherFor(SERVER_GATHER_MS);
}
// Whatever ends the process (an uncaught error, an exit outside main), the last turn's lines get their chance.
process.on("exit", () => stderrSink.writeNow());

/**
 * Lines on stderr: `2026-11-21T12:00:00.000Z WARN [prefix] message`. Logging must never
 * break or stall a call, so lines go through stderrSink; a process about to exit calls
 * flushLogs() first.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? "info"];
  const write = options.write ?? ((line: string) => stderrSink.push(line));
  const prefix = options.prefix ? `[${options.prefix}] ` : "";
  const at =
    (level: LogLevel) =>
    (message: string): void => {
      if (RANK[level] < min) return;
      const text = message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}... (${message.length} characters)` : message;
      write(`${timestamp()} ${LABEL[level]} ${prefix}${text}\n`);
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    with: (p) => createLogger({ ...options, prefix: options.prefix ? `${options.prefix} ${p}` : p }),
  };
}

/** Before exit: lets stderr take what is queued, for at most `timeoutMs` (a blocked stderr never does). */
export function flushLogs(timeoutMs = 50): Promise<void> {
  return stderrSink.flush(timeoutMs);
}

/**
 * Text a peer chose (a reply line, an environment value, a script name), quoted for a log
 * line: escaped, so it cannot forge lines, and cut to its first `max` characters.
 */
export function peerText(value: string, max = 120): string {
  if (value.length <= max) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, max))}... (${Buffer.byteLength(value)} bytes)`;
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  return value !== undefined && value in RANK ? (value as LogLevel) : undefined;
}
