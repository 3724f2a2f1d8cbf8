import { writeSync } from "node:fs";

export type LogLevel = "debug" | "info" | "warn" | "error";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

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
  /** Where lines go; stderr by default. */
  write?: (line: string) => void;
  prefix?: string;
}

/**
 * Lines on stderr: `2026-11-21T12:00:00.000Z WARN [prefix] message`. Written synchronously
 * because a per-call process exits right after its last line, and a closed stderr (EPIPE)
 * is ignored: logging must never break a call.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = RANK[options.level ?? "info"];
  const write = options.write ?? writeStderr;
  const prefix = options.prefix ? `[${options.prefix}] ` : "";
  const at =
    (level: LogLevel) =>
    (message: string): void => {
      if (RANK[level] < min) return;
      write(`${new Date().toISOString()} ${level.toUpperCase()} ${prefix}${message}\n`);
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    with: (p) => createLogger({ ...options, prefix: options.prefix ? `${options.prefix} ${p}` : p }),
  };
}

function writeStderr(line: string): void {
  try {
    writeSync(2, line);
  } catch {
    // stderr closed: nowhere left to say it.
  }
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  return value !== undefined && value in RANK ? (value as LogLevel) : undefined;
}
