import { closeSync, openSync, writeSync } from "node:fs";
import type { Logger } from "../log.ts";
import { type AgiHandler, type HandlerOutcome, runHandler } from "./handler.ts";
import { AgiSession } from "./session.ts";

/**
 * One AGI session over stdin/stdout, as Asterisk runs a script from agi-bin. On hangup
 * Asterisk sends SIGHUP (unless AGISIGHUP=no): without a handler the process would die
 * and lose its call record, so SIGHUP only marks the channel dead and the handler goes on
 * with the commands a dead channel allows.
 */
export async function runStdioSession(handler: AgiHandler, log: Logger): Promise<HandlerOutcome> {
  const session = new AgiSession(
    { write: writeStdout, close: releaseStdout },
    { warn: (message) => log.warn(message) },
  );
  const onSighup = () => session.markHungUp("sighup");
  process.on("SIGHUP", onSighup);
  void pumpStdin(session, log);
  try {
    return await runHandler(session, () => handler, log);
  } finally {
    process.off("SIGHUP", onSighup);
  }
}

async function pumpStdin(session: AgiSession, log: Logger): Promise<void> {
  try {
    for await (const chunk of Bun.stdin.stream()) session.receive(chunk);
  } catch (error) {
    log.warn(`reading stdin failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  session.end();
}

/**
 * Ends the session for Asterisk: res_agi stops at EOF on our stdout and continues the
 * dialplan without waiting for the process to exit. /dev/null takes fd 1's place (the lowest
 * free descriptor), so nothing opened later (the database) can ever receive a stray write.
 */
let stdoutReleased = false;
function releaseStdout(): void {
  if (stdoutReleased) return;
  stdoutReleased = true;
  try {
    closeSync(1);
    const fd = openSync("/dev/null", "w");
    if (fd !== 1) closeSync(fd);
  } catch {
    // Already closed: Asterisk has its EOF either way.
  }
}

/** Synchronous, so a command is on the pipe before we wait for its reply; EPIPE means Asterisk is gone. */
function writeStdout(data: string): boolean {
  let bytes = Buffer.from(data);
  try {
    while (bytes.length > 0) bytes = bytes.subarray(writeSync(1, bytes));
    return true;
  } catch {
    return false;
  }
}
