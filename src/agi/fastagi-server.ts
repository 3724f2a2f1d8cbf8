import type { Socket } from "bun";
import type { Logger } from "../log.ts";
import type { AgiEnv } from "./env.ts";
import { AgiShutdownError } from "./errors.ts";
import { type AgiHandler, runHandler } from "./handler.ts";
import { AgiSession } from "./session.ts";
import { SocketWriter } from "./socket-writer.ts";

export interface FastAgiLimits {
  /** Connections beyond this are closed at once; Asterisk then continues the dialplan (AGISTATUS=FAILURE). */
  maxSessions: number;
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
  /** Stops accepting, lets sessions finish for up to `graceMs`, then closes what is left. */
  stop(graceMs: number): Promise<void>;
}

interface Connection {
  session?: AgiSession;
  writer?: SocketWriter;
}

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

  const pick = (env: AgiEnv): AgiHandler => {
    const handler = options.route(env.script);
    if (!handler) throw new Error(`no FastAGI script "${env.script}" (check the AGI(agi://…/<script>) line in the dialplan)`);
    return handler;
  };

  const listener = Bun.listen<Connection>({
    hostname: options.hostname,
    port: options.port,
    socket: {
      open(socket) {
        sockets.add(socket);
        socket.data = {};
        if (stopping || sessions.size >= limits.maxSessions) {
          log.warn(
            stopping
              ? `refusing a FastAGI connection from ${socket.remoteAddress}: shutting down`
              : `refusing a FastAGI connection from ${socket.remoteAddress}: ${sessions.size} sessions running (max_sessions)`,
          );
          socket.end();
          return;
        }
        const writer = new SocketWriter(socket);
        const session = new AgiSession(
          { write: (data) => writer.write(data), close: () => writer.end() },
          { onStrayLine: (line) => log.warn(`FastAGI reply with no command in flight: ${JSON.stringify(line)}`) },
        );
        socket.data = { session, writer };
        sessions.add(session);
        session.signal.addEventListener("abort", () => sessions.delete(session), { once: true });
        void runHandler(session, pick, log);
      },
      data(socket, chunk) {
        socket.data.session?.receive(chunk);
      },
      drain(socket) {
        socket.data.writer?.drain();
      },
      close(socket) {
        sockets.delete(socket);
        socket.data.writer?.closed();
        socket.data.session?.end();
      },
      error(socket, error) {
        log.warn(`FastAGI socket error from ${socket.remoteAddress}: ${error.message}`);
      },
    },
  });

  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const session of sessions) {
        if (session.idleSince !== undefined && now - session.idleSince > limits.idleTimeoutMs) {
          log.warn(`watchdog: FastAGI session sent nothing for ${limits.idleTimeoutMs} ms; closing it`);
          session.close("watchdog: handler idle too long");
        } else if (now - session.startedAt > limits.maxSessionMs) {
          log.warn(`watchdog: FastAGI session older than ${limits.maxSessionMs} ms; closing it`);
          session.close("watchdog: session too old");
        }
      }
    },
    Math.max(10, Math.min(1000, limits.idleTimeoutMs / 4)),
  );
  sweep.unref?.();

  return {
    hostname: listener.hostname,
    port: listener.port,
    get activeSessions() {
      return sessions.size;
    },
    async stop(graceMs) {
      stopping = true;
      listener.stop(false);
      await until(() => sessions.size === 0, graceMs);
      if (sessions.size > 0) log.warn(`closing ${sessions.size} FastAGI sessions still running after ${graceMs} ms`);
      for (const session of sessions) session.close("server shutting down", new AgiShutdownError());
      // Closed sessions have sent their FIN; give Asterisk a moment to close before cutting.
      await until(() => sockets.size === 0, 1000);
      listener.stop(true);
      clearInterval(sweep);
    },
  };
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await Bun.sleep(Math.min(20, Math.max(1, deadline - Date.now())));
}
