import { peerText } from "../log.ts";

/**
 * The few ways an AGI exchange can go wrong. Hangup is a sibling of the command error,
 * never a subclass: "the caller is gone" and "Asterisk refused the command" call for
 * different handling, and code that catches one must not swallow the other.
 */
export class AgiError extends Error {
  override name = "AgiError";
}

/** How we learned that the channel is gone. */
export type HangupReason =
  | "sighup" // stdin mode: Asterisk sent SIGHUP (AGISIGHUP)
  | "hangup-line" // FastAGI: the out-of-band `HANGUP` line
  | "dead-channel" // a `511 Command Not Permitted on a dead channel` reply
  | "result" // a command that reports hangup as result=-1 (WAIT FOR DIGIT, GET DATA)
  | "closed"; // the connection or pipe to Asterisk is closed, or the session was ended

export class AgiHangupError extends AgiError {
  override name = "AgiHangupError";
  constructor(
    readonly reason: HangupReason,
    /** The command that could not run, if any. */
    readonly command?: string,
    /** The raw reply lines that told us, if a reply did. */
    readonly lines: readonly string[] = [],
  ) {
    super(
      `channel hung up (${reason})` +
        (command ? `: ${command}` : "") +
        (lines.length ? ` -> ${peerText(lines.join(" | "))}` : ""),
    );
  }
}

/**
 * Why ivr serve ended a session itself while shutting down: the reason its signal is aborted
 * with, so a handler tells "the server stopped" from "the connection was lost".
 */
export class AgiShutdownError extends AgiError {
  override name = "AgiShutdownError";
  constructor() {
    super("server shutting down");
  }
}

/** Asterisk answered, but not with success: 510, 520, or a result the command defines as failure. */
export class AgiCommandError extends AgiError {
  override name = "AgiCommandError";
  constructor(
    readonly command: string,
    readonly code: number,
    readonly lines: readonly string[],
    reason?: string,
  ) {
    super(`${command}: ${reason ?? (lines[0] === undefined ? `code ${code}` : peerText(lines[0]))}`);
  }
}

/** The peer sent something that is not AGI. The raw line is kept; the message quotes its start. */
export class AgiProtocolError extends AgiError {
  override name = "AgiProtocolError";
  constructor(
    message: string,
    readonly line?: string,
  ) {
    super(line === undefined ? message : `${message}: ${peerText(line)}`);
  }
}

/** A command argument that cannot be sent (CR/LF, or a line Asterisk would truncate). Nothing was sent. */
export class AgiArgumentError extends AgiError {
  override name = "AgiArgumentError";
}
