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

interface Pending {
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
  /** Called once when the session ends, whoever ends it (the FastAGI server forgets it). */
  onClose?: () => void;
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
  /** Made when a handler asks for the signal: most sessions never do. */
  private abort: AbortController | undefined;
  private hangupListeners: Array<(reason: HangupReason) => void> | undefined;
  private readonly clock: () => number;
  private settleReady: { resolve(env: AgiEnv): void; reject(error: Error): void };
  private inFlight: Pending | undefined;
  /** Commands waiting for their turn (sent while another was in flight). */
  private waiting: Pending[] | undefined;
  private hangup: HangupReason | undefined;
  private closedBecause: string | undefined;
  private closeCause: Error | undefined;
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

  /** Aborted when the session ends, whoever ends it; the reason is the cause given to close(), if any. */
  get signal(): AbortSignal {
    if (!this.abort) {
      this.abort = new AbortController();
      if (this.closed) this.abort.abort(this.abortReason());
    }
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
    (this.hangupListeners ??= []).push(listener);
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
    for (const listener of this.hangupListeners ?? []) {
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
    // Only a string this long can be past the bound in UTF-8 (at most 3 bytes per UTF-16 unit).
    if (command.length * 3 > MAX_COMMAND_BYTES && Buffer.byteLength(command) > MAX_COMMAND_BYTES) {
      return Promise.reject(new AgiArgumentError(`command longer than ${MAX_COMMAND_BYTES} bytes`));
    }
    return new Promise<AgiReply>((resolve, reject) => {
      const pending = { command, resolve, reject };
      if (this.inFlight || this.waiting?.length) (this.waiting ??= []).push(pending);
      else this.dispatch(pending);
    });
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

  /** Writes the command, or fails it at once when it cannot be sent. */
  private dispatch(pending: Pending): void {
    const { command } = pending;
    if (this.closed) return pending.reject(new AgiHangupError("closed", command));
    if (this.hangup && !allowedOnDeadChannel(command)) {
      pending.reject(new AgiHangupError(this.hangup, command));
      return this.next();
    }
    this.inFlight = pending;
    this.idleSince = undefined;
    if (!this.transport.write(`${command}\n`)) this.shutdown("could not write to Asterisk (connection closed)");
  }

  /**
   * The next waiting command goes out once this turn is over: a HANGUP that came in the same
   * chunk as the last reply is known before it is sent.
   */
  private next(): void {
    if (this.waiting?.length) queueMicrotask(() => this.sendWaiting());
  }

  private sendWaiting(): void {
    const pending = this.inFlight ? undefined : this.waiting?.shift();
    if (pending) this.dispatch(pending);
  }

  private settle(pending: Pending, reply: AgiReply): void {
    if (reply.code === 200) return pending.resolve(reply);
    if (reply.code === 511) {
      this.markHungUp("dead-channel");
      return pending.reject(new AgiHangupError("dead-channel", pending.command, reply.lines));
    }
    pending.reject(new AgiCommandError(pending.command, reply.code, reply.lines));
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
        if (event.type === "reply") this.settle(pending, event.reply);
        else pending.reject(new AgiProtocolError(`unexpected reply to ${pending.command}`, line));
        this.next();
      }
    }
  }

  private shutdown(reason: string, cause?: Error): void {
    if (this.closed) return;
    this.closedBecause = reason;
    this.closeCause = cause;
    const unlogged = this.strayLines - STRAY_LINES_LOGGED;
    if (unlogged > 0) this.options.warn?.(`${unlogged} more replies with no command in flight (not logged)`);
    // Whoever awaits the environment hears why it never came; once it came, there is nothing to tell.
    if (!this.environment) this.settleReady.reject(cause ?? new AgiProtocolError(`${reason} before the AGI environment was complete`));
    const pending = this.inFlight;
    this.inFlight = undefined;
    pending?.reject(new AgiHangupError("closed", pending.command));
    for (const waiting of this.waiting?.splice(0) ?? []) waiting.reject(new AgiHangupError("closed", waiting.command));
    this.abort?.abort(this.abortReason());
    this.options.onClose?.();
  }

  private abortReason(): Error {
    return this.closeCause ?? new Error(this.closedBecause);
  }
}
