import { startFastAgiServer } from "../agi/fastagi-server.ts";
import type { AgiHandler } from "../agi/handler.ts";
import { greeting } from "../ivr/greeting.ts";
import { createLogger, parseLogLevel } from "../log.ts";
import { VERSION } from "../version.ts";
import { parseCount, parseFlags, parseHostPort, parseSeconds, UsageError } from "./args.ts";

const DEFAULT_FASTAGI = "127.0.0.1:4573";
const DEFAULT_SHUTDOWN_GRACE_S = 30;

/** FastAGI scripts by name: agi://host/<name>. An empty script means the IVR. */
const SCRIPTS: Record<string, AgiHandler> = { ivr: greeting, "": greeting };

export async function runServe(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    fastagi: { type: "string" },
    "max-sessions": { type: "string" },
    "idle-timeout": { type: "string" },
    "max-session": { type: "string" },
    "shutdown-grace": { type: "string" },
    "log-level": { type: "string" },
  });
  const level = parseLogLevel(values["log-level"] ?? "info");
  if (!level) throw new UsageError(`--log-level takes debug, info, warn or error, not "${values["log-level"]}"`);
  const listen = parseHostPort(values.fastagi ?? DEFAULT_FASTAGI, "127.0.0.1", "--fastagi");
  const idle = parseSeconds(values["idle-timeout"], "--idle-timeout");
  const maxAge = parseSeconds(values["max-session"], "--max-session");
  const graceMs = (parseSeconds(values["shutdown-grace"], "--shutdown-grace") ?? DEFAULT_SHUTDOWN_GRACE_S) * 1000;
  const log = createLogger({ level });

  const server = startFastAgiServer({
    ...listen,
    route: (script) => SCRIPTS[script],
    limits: {
      maxSessions: parseCount(values["max-sessions"], "--max-sessions"),
      idleTimeoutMs: idle === undefined ? undefined : idle * 1000,
      maxSessionMs: maxAge === undefined ? undefined : maxAge * 1000,
    },
    log,
  });
  log.info(`ivr ${VERSION}: FastAGI listening on ${server.hostname}:${server.port} (scripts: ${Object.keys(SCRIPTS).filter(Boolean).join(", ")})`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn(`${signal} again: exiting now`);
        resolve(1);
        return;
      }
      stopping = true;
      log.info(`${signal}: no new calls; waiting up to ${graceMs / 1000} s for ${server.activeSessions} sessions`);
      void server.stop(graceMs).then(() => {
        log.info("stopped");
        resolve(0);
      });
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
}
