import { peerText } from "../log.ts";
import type { AgiEnv } from "./env.ts";
import {
  AgiArgumentError,
  AgiCommandError,
  AgiHangupError,
  AgiProtocolError,
  type HangupReason,
} from "./errors.ts";
import { type AgiEvent, AgiInputParser } from "./input.ts";
import type { AgiReply } from "./reply.ts";

/** Where command lines go: a pipe to Asterisk (stdin mode) or a FastAGI socket. */
export interface AgiTransport {
  /** Writes bytes; false once the peer is gone. Must never throw (EPIPE is swallowed). */
  write(data: string): boolean;
  /** Ends our side: Asterisk continues the dialplan only after this. */
  close(): void;
}

/** Asterisk reads a command with an 8192-byte buffer; a longer line would be cut and misread. */
export const MAX_COMMAND_BYTES = 8191;

// res_agi.c marks these commands as allowed on a dead channel; every other command gets 511.
const DEAD_CHANNEL_COMMANDS =
  /^(EXEC|GET VARIABLE|GET FULL VARIABLE|SET VARIABLE|VERBOSE|NOOP|DATABASE|ASYNCAGI BREAK)(\s|$)/i;

export function allowedOnDeadChannel(command: string): boolean {
  return DEAD_CHANNEL_COMMANDS.test(command);
}

interface InFlight {
  readonly command: string;
  resolve(reply: AgiReply): void;
  reject(error: Error): void;
}

export interface AgiSessionOptions {
  /**
   * Where the session reports what the peer did wrong once the environment is in: replies
   * with no command in flight, input past a bound.
   */
  warn?: (message: string) => void;
  clock?: () => number;
}

/** Stray replies logged one by one per session; the rest are counted (a bad client can send thousands). */
const STRAY_LINES_LOGGED = 3;

const noop = () => {};

/**
 * One AGI conversation: at most one command in flight (later ones wait their turn), the
 * hangup state from whichever signal comes first, and one clear rejection for everything
 * pending when the connection ends. Transport-agnostic: stdin mode and FastAGI feed it
 * bytes with receive() and end().
 */
export class AgiSession {
  /** Resolves with the environment once its blank line arrives. */
  readonly ready: Promise<AgiEnv>;
  readonly startedAt: number;
  /** When the session last had no command in flight (for the watchdog); undefined while one is. */
  idleSince: number | undefined;

  private readonly parser = new AgiInputParser();
  private readonly abort = new AbortController();
  private readonly hangupListeners: Array<(reason: HangupReason) => void> = [];
  private readonly clock: () => number;
  private settleReady: { resolve(env: AgiEnv): void; reject(error: Error): void };
  private inFlight: InFlight | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private hangup: HangupReason | undefined;
  private closedBecause: string | undefined;
  private environment = false;
  private strayLines = 0;

  constructor(
    private readonly transport: AgiTransport,
    private readonly options: AgiSessionOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.startedAt = this.idleSince = this.clock();
    let settle!: typeof this.settleReady;
    this.ready = new Promise<AgiEnv>((resolve, reject) => (settle = { resolve, reject }));
    this.settleReady = settle;
    // Nobody may be awaiting the environment when the peer disconnects early.
    this.ready.catch(noop);
  }

  /** Aborted when the session ends, whoever ends it. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get hungUp(): boolean {
    return this.hangup !== undefined;
  }

  get hangupReason(): HangupReason | undefined {
    return this.hangup;
  }

  get closed(): boolean {
    return this.closedBecause !== undefined;
  }

  /** True once the environment's blank line has arrived. */
  get hasEnvironment(): boolean {
    return this.environment;
  }

  onHangup(listener: (reason: HangupReason) => void): void {
    this.hangupListeners.push(listener);
  }

  /** Bytes from Asterisk. */
  receive(chunk: Uint8Array | string): void {
    if (this.closed) return;
    for (const event of this.parser.push(chunk)) {
      this.handle(event);
      if (this.closed) return;
    }
  }

  /** Asterisk closed the connection (EOF on stdin, socket closed). */
  end(): void {
    this.shutdown("Asterisk closed the AGI connection");
  }

  /** The channel is gone. Commands in flight still get their reply; later ones only if a dead channel allows them. */
  markHungUp(reason: HangupReason): void {
    if (this.hangup) return;
    this.hangup = reason;
    for (const listener of this.hangupListeners) {
      try {
        listener(reason);
      } catch {
        // A listener's failure must not stop the others or the session.
      }
    }
  }

  /**
   * Sends one command line and resolves with its 200 reply. Rejects with AgiHangupError
   * when the channel is gone (511, or known hung up and the command is not allowed on a
   * dead channel: then nothing is sent), AgiCommandError for 510/520, AgiProtocolError
   * for a reply that is not AGI.
   */
  send(command: string): Promise<AgiReply> {
    if (/[\r\n]/.test(command)) {
      return Promise.reject(new AgiArgumentError(`command contains a line break: ${JSON.stringify(command)}`));
    }
    if (Buffer.byteLength(command) > MAX_COMMAND_BYTES) {
      return Promise.reject(new AgiArgumentError(`command longer than ${MAX_COMMAND_BYTES} bytes`));
    }
    const run = () => this.dispatch(command);
    const result = this.queue.then(run, run);
    this.queue = result.catch(noop);
    return result;
  }

  /**
   * Refuses the call before any command: res_agi reads a line beginning with FAILURE as the
   * script's failure, so the dialplan continues with AGISTATUS=FAILURE (a plain close leaves
   * SUCCESS, and the caller hears nothing).
   */
  fail(reason: string, cause?: Error): void {
    if (this.closed) return;
    this.transport.write("FAILURE\n");
    this.close(reason, cause);
  }

  /** Ends the session from our side: closes the transport and fails whatever is pending. */
  close(reason = "the AGI session ended", cause?: Error): void {
    if (this.closed) return;
    this.shutdown(reason, cause);
    this.transport.close();
  }

  private async dispatch(command: string): Promise<AgiReply> {
    if (this.closed) throw new AgiHangupError("closed", command);
    if (this.hangup && !allowedOnDeadChannel(command)) throw new AgiHangupError(this.hangup, command);
    const reply = await new Promise<AgiReply>((resolve, reject) => {
      this.inFlight = { command, resolve, reject };
      this.idleSince = undefined;
      if (!this.transport.write(`${command}\n`)) this.shutdown("could not write to Asterisk (connection closed)");
    });
    if (reply.code === 200) return reply;
    if (reply.code === 511) {
      this.markHungUp("dead-channel");
      throw new AgiHangupError("dead-channel", command, reply.lines);
    }
    throw new AgiCommandError(command, reply.code, reply.lines);
  }

  private handle(event: AgiEvent): void {
    switch (event.type) {
      case "error":
        // Before the environment no command has gone out, and whoever awaits `ready` reports it.
        if (!this.environment) return this.fail(event.error.message, event.error);
        this.options.warn?.(`closing the AGI session: ${event.error.message}`);
        return this.close(event.error.message, event.error);
      case "env":
        this.environment = true;
        this.settleReady.resolve(event.env);
        return;
      case "hangup":
        this.markHungUp("hangup-line");
        return;
      case "reply":
      case "invalid": {
        const pending = this.inFlight;
        const line = event.type === "reply" ? event.reply.lines.join("\n") : event.line;
        if (!pending) {
          if (++this.strayLines <= STRAY_LINES_LOGGED) this.options.warn?.(`reply with no command in flight: ${peerText(line)}`);
          return;
        }
        this.inFlight = undefined;
        this.idleSince = this.clock();
        if (event.type === "reply") pending.resolve(event.reply);
        else pending.reject(new AgiProtocolError(`unexpected reply to ${pending.command}`, line));
      }
    }
  }

  private shutdown(reason: string, cause?: Error): void {
    if (this.closed) return;
    this.closedBecause = reason;
    const unlogged = this.strayLines - STRAY_LINES_LOGGED;
    if (unlogged > 0) this.options.warn?.(`${unlogged} more replies with no command in flight (not logged)`);
    this.settleReady.reject(cause ?? new AgiProtocolError(`${reason} before the AGI environment was complete`));
    const pending = this.inFlight;
    this.inFlight = undefined;
    pending?.reject(new AgiHangupError("closed", pending.command));
    this.abort.abort(cause ?? new Error(reason));
  }
}
