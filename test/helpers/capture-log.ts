import { createLogger, type Logger } from "../../src/log.ts";

/** A logger whose lines a test can read. */
export function captureLog(): { log: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  return { log: createLogger({ level: "debug", write: (line) => lines.push(line) }), lines, text: () => lines.join("") };
}
