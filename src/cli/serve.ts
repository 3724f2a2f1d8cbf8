import { startFastAgiServer } from "../agi/fastagi-server.ts";
import type { AgiHandler } from "../agi/handler.ts";
import type { ServerSettings } from "../config/schema.ts";
import { ConfigStore } from "../config/store.ts";
import { ivrHandler } from "../ivr/handler.ts";
import { createLogger, type Logger, parseLogLevel } from "../log.ts";
import { VERSION } from "../version.ts";
import { parseCount, parseFlags, parseHostPort, parseSeconds, UsageError } from "./args.ts";
import { locateConfig, orConfigFailure } from "./load-config.ts";

const DEFAULT_FASTAGI = "127.0.0.1:4573";
const DEFAULT_SHUTDOWN_GRACE_S = 30;

/** `ivr serve`: the FastAGI server with the config watched and hot-reloaded. Flags win over `server:`. */
export async function runServe(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    config: { type: "string" },
    fastagi: { type: "string" },
    "max-sessions": { type: "string" },
    "idle-timeout": { type: "string" },
    "max-session": { type: "string" },
    "shutdown-grace": { type: "string" },
    "log-level": { type: "string" },
  });
  const flagLevel = values["log-level"];
  if (flagLevel !== undefined && !parseLogLevel(flagLevel)) throw new UsageError(`--log-level takes debug, info, warn or error, not "${flagLevel}"`);
  const location = locateConfig(values.config);
  const bootLog = createLogger({ level: parseLogLevel(flagLevel) ?? "info" });
  const store = orConfigFailure(() => ConfigStore.open(location.path, bootLog));
  const settings: ServerSettings = store.current.config.server ?? {};
  const log = createLogger({ level: parseLogLevel(flagLevel) ?? settings.log_level ?? "info" });
  log.info(`✓ Config loaded from: ${location.path} (${location.how})`);

  const seconds = (flag: string, configured: number | undefined) => {
    const value = parseSeconds(values[flag as keyof typeof values] as string | undefined, `--${flag}`) ?? configured;
    return value === undefined ? undefined : value * 1000;
  };
  const listen = parseHostPort(values.fastagi ?? settings.fastagi ?? DEFAULT_FASTAGI, "127.0.0.1", "--fastagi");
  const graceMs = seconds("shutdown-grace", settings.shutdown_grace_seconds) ?? DEFAULT_SHUTDOWN_GRACE_S * 1000;

  const ivr = ivrHandler(() => store.current);
  const scripts: Record<string, AgiHandler> = { ivr, "": ivr };
  const server = startFastAgiServer({
    ...listen,
    route: (script) => scripts[script],
    limits: {
      maxSessions: parseCount(values["max-sessions"], "--max-sessions") ?? settings.max_sessions,
      idleTimeoutMs: seconds("idle-timeout", settings.session_idle_timeout_seconds),
      maxSessionMs: seconds("max-session", settings.max_session_seconds),
    },
    log,
  });
  const stopWatching = store.watch();
  log.info(`✓ Config watcher started for: ${location.path}`);
  warnAboutRestartOnlySettings(store, log);
  log.info(`ivr ${VERSION}: FastAGI listening on ${server.hostname}:${server.port} (scripts: ivr)`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn(`${signal} again: exiting now`);
        resolve(1);
        return;
      }
      stopping = true;
      stopWatching();
      const running = server.activeSessions;
      const stopped = server.stop(graceMs);
      log.info(`${signal}: no new calls; waiting up to ${graceMs / 1000} s for ${running} sessions`);
      void stopped.then(() => {
        log.info("stopped");
        resolve(0);
      });
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
}

/** The listening address and limits are read once; say so when a reload changes them. */
function warnAboutRestartOnlySettings(store: ConfigStore, log: Logger): void {
  let applied = JSON.stringify(store.current.config.server ?? {});
  store.onReload((snapshot) => {
    const next = JSON.stringify(snapshot.config.server ?? {});
    if (next !== applied) log.warn("the server: section changed; it takes effect after a restart (menus changed at once)");
    applied = next;
  });
}
