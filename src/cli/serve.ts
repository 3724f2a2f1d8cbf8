import type { ServerSettings } from "../config/schema.ts";
import { readConfigInChild } from "../config/child.ts";
import { type ConfigSnapshot, ConfigStore } from "../config/store.ts";
import { weakTokenWarnings } from "../config/weak-tokens.ts";
import { databasePath } from "../history/location.ts";
import { createLogger, type Logger, logInBackground, parseLogLevel } from "../log.ts";
import { startServer } from "../server/start.ts";
import { VERSION } from "../version.ts";
import { CommandFailure, parseCount, parseFlags, parseHostPort, parseSeconds, UsageError } from "./args.ts";
import { locateConfig, orCommandFailure } from "./load-config.ts";
import { ivrCommand, nextSteps } from "./serve-hints.ts";

const DEFAULT_FASTAGI = "127.0.0.1:4573";
const DEFAULT_HTTP = "127.0.0.1:8021";
const DEFAULT_SHUTDOWN_GRACE_S = 30;

/** `ivr serve`: FastAGI, the HTTP API and the config watcher, until SIGTERM. Flags win over `server:`. */
export async function runServe(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    config: { type: "string" },
    db: { type: "string" },
    fastagi: { type: "string" },
    http: { type: "string" },
    "max-sessions": { type: "string" },
    "idle-timeout": { type: "string" },
    "max-session": { type: "string" },
    "shutdown-grace": { type: "string" },
    "log-level": { type: "string" },
  });
  logInBackground();
  const flagLevel = values["log-level"];
  if (flagLevel !== undefined && !parseLogLevel(flagLevel)) throw new UsageError(`--log-level takes debug, info, warn or error, not "${flagLevel}"`);
  const location = locateConfig(values.config);
  const bootLog = createLogger({ level: parseLogLevel(flagLevel) ?? "info" });
  // Read here at start (nothing is served yet); every reload is read in a child process, so
  // that parsing a large file never holds up the calls in flight.
  const store = orCommandFailure(() => ConfigStore.open(location.path, bootLog, readConfigInChild));
  const settings: ServerSettings = store.current.config.server ?? {};
  const log = createLogger({ level: parseLogLevel(flagLevel) ?? settings.log_level ?? "info" });
  log.info(`✓ Config loaded from: ${location.path} (${location.how})`);

  const milliseconds = (flag: "idle-timeout" | "max-session" | "shutdown-grace", configured: number | undefined) => {
    const value = parseSeconds(values[flag], `--${flag}`) ?? configured;
    return value === undefined ? undefined : value * 1000;
  };
  const dbPath = databasePath(values.db, store.current.config.database, location.path);
  let server: ReturnType<typeof startServer>;
  try {
    server = startServer({
      store,
      dbPath,
      fastagi: parseHostPort(values.fastagi ?? settings.fastagi ?? DEFAULT_FASTAGI, "127.0.0.1", "--fastagi"),
      http: parseHostPort(values.http ?? settings.http ?? DEFAULT_HTTP, "127.0.0.1", "--http"),
      limits: {
        maxSessions: parseCount(values["max-sessions"], "--max-sessions") ?? settings.max_sessions,
        idleTimeoutMs: milliseconds("idle-timeout", settings.session_idle_timeout_seconds),
        maxSessionMs: milliseconds("max-session", settings.max_session_seconds),
      },
      log,
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new CommandFailure(`ivr serve cannot start: ${(error as Error).message}`);
  }
  const graceMs = milliseconds("shutdown-grace", settings.shutdown_grace_seconds) ?? DEFAULT_SHUTDOWN_GRACE_S * 1000;
  const stopWatching = store.watch();
  log.info(`✓ Config watcher started for: ${location.path}`);
  warnAboutRestartOnlySettings(store, log);
  warnAboutWeakTokens(store.current, log);
  store.onReload((snapshot) => warnAboutWeakTokens(snapshot, log));
  // Signal handlers first, and a turn of the event loop for Bun to install them: a SIGTERM
  // right after the "listening" line (systemd stopping a fresh start) otherwise killed the
  // process outright, without the graceful stop.
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn(`${signal} again: exiting now`);
        resolve(1);
        return;
      }
      stopping = true;
      stopWatching();
      const running = server.fastagi.activeSessions;
      const done = server.stop(graceMs);
      log.info(`${signal}: no new calls; waiting up to ${graceMs / 1000} s for ${running} sessions`);
      void done.then(() => {
        log.info("stopped");
        resolve(0);
      });
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
  await new Promise((resolve) => setImmediate(resolve));
  log.info(`call history: ${server.history.path}`);
  log.info(`HTTP API listening on ${server.http.hostname}:${server.http.port}`);
  log.info(`ivr ${VERSION}: FastAGI listening on ${server.fastagi.hostname}:${server.fastagi.port} (scripts: ivr, smart)`);
  // In a compiled binary, modules live in Bun's embedded file system (/$bunfs/).
  const ivr = ivrCommand(import.meta.path.startsWith("/$bunfs/"), process.execPath, Bun.main);
  for (const line of nextSteps({ ivr, config: store.current.config, configPath: location.path, dbFlag: values.db, fastagi: server.fastagi, http: server.http })) log.info(line);
  return stopped;
}

/** The listening addresses and limits are read once; say so when a reload changes them. */
function warnAboutRestartOnlySettings(store: ConfigStore, log: Logger): void {
  let applied = JSON.stringify(store.current.config.server ?? {});
  store.onReload((snapshot) => {
    const next = JSON.stringify(snapshot.config.server ?? {});
    if (next !== applied) log.warn("the server: section changed; it takes effect after a restart (menus changed at once)");
    applied = next;
  });
}

/** Short Smart tokens are kept (the PBXs send them) but never silently. */
function warnAboutWeakTokens(snapshot: ConfigSnapshot, log: Logger): void {
  for (const { warning } of weakTokenWarnings(snapshot.config)) log.warn(`WARNING: ${warning}`);
}
