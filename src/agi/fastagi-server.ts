import type { Socket } from "bun";
import { type Logger, peerText } from "../log.ts";
import type { AgiEnv } from "./env.ts";
import { AgiShutdownError } from "./errors.ts";
import { type AgiHandler, runHandler } from "./handler.ts";
import { Refusal, REFUSAL_DRAIN_MS } from "./refusal.ts";
import { AgiSession } from "./session.ts";
import { SocketWriter } from "./socket-writer.ts";
import { Watchdog } from "./watchdog.ts";

export interface FastAgiLimits {
  /** Connections beyond this are refused with FAILURE; Asterisk then continues the dialplan (AGISTATUS=FAILURE). */
  maxSessions: number;
  /**
   * A connection whose environment is not complete by then is refused. Asterisk writes the
   * whole environment as soon as it has connected, so a real one takes milliseconds; 10 s
   * leaves a stalled PBX plenty of room while a client that never finishes (by accident or
   * to hold slots) gives its max_sessions slot back three times sooner than the idle watchdog.
   */
  envTimeoutMs: number;
  /**
   * Watchdog: a session whose handler sends nothing for this long, with no command waiting
   * for Asterisk, is stuck in our code and is closed. Waiting for a reply (EXEC Queue during
   * a whole call) does not count.
   */
  idleTimeoutMs: number;
  /** Watchdog: no session lives longer than this, whatever it is doing. */
  maxSessionMs: number;
}

export const DEFAULT_LIMITS: FastAgiLimits = {
  maxSessions: 1000,
  envTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  maxSessionMs: 4 * 60 * 60_000,
};

/** Limits given as undefined (a flag not passed, a key not set) keep their defaults. */
export function withDefaults(limits: FastAgiServerOptions["limits"] = {}): FastAgiLimits {
  const merged = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(merged) as Array<keyof FastAgiLimits>) {
    const value = limits[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

export interface FastAgiServerOptions {
  hostname: string;
  port: number;
  /** The handler for a script name (the path of agi://host/<script>); undefined if there is none. */
  route(script: string): AgiHandler | undefined;
  limits?: { [K in keyof FastAgiLimits]?: FastAgiLimits[K] | undefined };
  log: Logger;
}

export interface FastAgiServer {
  readonly hostname: string;
  readonly port: number;
  readonly activeSessions: number;
  /** Refuses new calls (FAILURE), lets sessions finish for up to `graceMs`, then closes what is left. */
  stop(graceMs: number): Promise<void>;
}

interface Connection {
  session?: AgiSession;
  refusal?: Refusal;
  writer?: SocketWriter;
  /** Bytes the peer sent after our side was done with the connection. */
  discarded: number;
}

/**
 * What a peer may still send after we closed our side (Asterisk finishing a line, a HANGUP)
 * before the connection is cut: a client that keeps streaming is not read forever.
 */
const AFTER_CLOSE_BYTES = 64 * 1024;

/**
 * The FastAGI server: Asterisk connects for `AGI(agi://host[:port]/script[?query])`, one
 * connection per call. Each session ends with the socket closed, because Asterisk holds
 * the channel in the AGI until it sees the close.
 */
export function startFastAgiServer(options: FastAgiServerOptions): FastAgiServer {
  const limits = withDefaults(options.limits);
  const { log } = options;
  const sessions = new Set<AgiSession>();
  const sockets = new Set<Socket<Connection>>();
  let stopping = false;

  // A script nobody serves is a dialplan mistake, not ours: one warning, and FAILURE so the
  // dialplan's AGISTATUS check can route the caller elsewhere.
  const unknownScript: AgiHandler = async (channel, callLog) => {
    const { script, context, extension, priority } = channel.env;
    callLog.warn(
      `no FastAGI script ${peerText(script)}: check the AGI(agi://host:port/<script>) line at ${peerText(`${context},${extension},${priority}`)} in the dialplan; answered FAILURE`,
    );
    channel.fail("unknown FastAGI script");
  };
  const pick = (env: AgiEnv): AgiHandler => options.route(env.script) ?? unknownScript;

  const listener = Bun.listen<Connection>({
    hostname: options.hostname,
    port: options.port,
    socket: {
      open(socket) {
        sockets.add(socket);
        const writer = new SocketWriter(socket);
        socket.data = { writer, discarded: 0 };
        if (stopping || sessions.size >= limits.maxSessions) {
          log.warn(
            stopping
              ? `refusing a FastAGI connection from ${socket.remoteAddress} with FAILURE: shutting down`
              : `refusing a FastAGI connection from ${socket.remoteAddress} with FAILURE: ${sessions.size} sessions running (max_sessions)`,
          );
          socket.data.refusal = new Refusal(writer);
          return;
        }
        // Read now: a closed socket no longer knows its peer.
        const remote = socket.remoteAddress;
        const session = new AgiSession(writer, {
          warn: (message) => log.warn(`FastAGI from ${remote}: ${message}`),
          onClose: () => sessions.delete(session),
        });
        socket.data.session = session;
        sessions.add(session);
        watchdog.start();
        void runHandler(session, pick, log);
      },
      data(socket, chunk) {
        const connection = socket.data;
        if (connection.refusal && !connection.refusal.finished) return connection.refusal.receive(chunk);
        if (connection.session && !connection.session.closed) return connection.session.receive(chunk);
        connection.discarded += chunk.length;
        if (connection.discarded > AFTER_CLOSE_BYTES) socket.terminate();
      },
      drain(socket) {
        socket.data.writer?.drain();
      },
      close(socket) {
        sockets.delete(socket);
        socket.data.writer?.closed();
        socket.data.refusal?.closed();
        socket.data.session?.end();
      },
      error(socket, error) {
        log.warn(`FastAGI socket error from ${socket.remoteAddress}: ${error.message}`);
      },
    },
  });

  const watchdog = new Watchdog(sessions, limits, log);

  return {
    hostname: listener.hostname,
    port: listener.port,
    get activeSessions() {
      return sessions.size;
    },
    async stop(graceMs) {
      // Still listening during the grace period: a new call is answered FAILURE (and logged),
      // so the dialplan's AGISTATUS check routes it while the calls in flight finish.
      stopping = true;
      await until(() => sessions.size === 0, graceMs);
      listener.stop(false);
      if (sessions.size > 0) log.warn(`closing ${sessions.size} FastAGI sessions still running after ${graceMs} ms`);
      for (const session of sessions) session.close("server shutting down", new AgiShutdownError());
      // Closed sessions have sent their FIN and refusals finish draining; give Asterisk a moment to close before cutting.
      await until(() => sockets.size === 0, REFUSAL_DRAIN_MS + 500);
      listener.stop(true);
      watchdog.stop();
    },
  };
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await Bun.sleep(Math.min(20, Math.max(1, deadline - Date.now())));
}
