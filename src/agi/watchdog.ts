import type { Logger } from "../log.ts";
import type { FastAgiLimits } from "./fastagi-server.ts";
import type { AgiSession } from "./session.ts";

/**
 * Closes FastAGI sessions past their limits: no environment after envTimeoutMs, a handler
 * idle (no command waiting for Asterisk) for idleTimeoutMs, older than maxSessionMs. One timer
 * for all sessions, running only while there are sessions: an idle server pays nothing, and a
 * busy one pays a look at each session every tick (a fraction of the shortest limit, at most
 * a second), not a timer per session re-armed at every command.
 */
export class Watchdog {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly everyMs: number;

  constructor(
    private readonly sessions: ReadonlySet<AgiSession>,
    private readonly limits: FastAgiLimits,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.everyMs = Math.max(10, Math.min(1000, limits.idleTimeoutMs / 4, limits.envTimeoutMs / 4));
  }

  /** Call when a session starts: the timer runs from now until no session is left. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.sweep(), this.everyMs);
    this.timer.unref?.();
  }

  /** True while the timer runs (there were sessions at the last tick). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    if (this.sessions.size === 0) return this.stop();
    const now = this.clock();
    const { envTimeoutMs, idleTimeoutMs, maxSessionMs } = this.limits;
    for (const session of this.sessions) {
      if (!session.hasEnvironment && now - session.startedAt > envTimeoutMs) {
        session.fail(`timed out after ${envTimeoutMs} ms`);
      } else if (session.idleSince !== undefined && now - session.idleSince > idleTimeoutMs) {
        this.log.warn(`watchdog: FastAGI session sent nothing for ${idleTimeoutMs} ms; closing it`);
        session.close("watchdog: handler idle too long");
      } else if (now - session.startedAt > maxSessionMs) {
        this.log.warn(`watchdog: FastAGI session older than ${maxSessionMs} ms; closing it`);
        session.close("watchdog: session too old");
      }
    }
  }
}
