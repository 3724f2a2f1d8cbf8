import { type Stats, statSync } from "node:fs";
import type { Logger } from "../log.ts";
import { cacheAvailable, type CachedConfig, cacheRefusal, claimRefresh, fileStamp, readCachedConfig, refreshRunning, releaseRefresh, writeCachedConfig, writeRejected } from "./cache.ts";
import { ConfigError } from "./errors.ts";
import { describeSearch, findConfig } from "./paths.ts";
import type { IvrConfig, LoadedConfig } from "./schema.ts";

/** Up to this size a changed file is parsed during the call (about 100 ms); larger ones in the background. */
export const INLINE_PARSE_BYTES = 256 * 1024;
/** With no good config to fall back on, a call waits this long for the background parse. */
export const REFRESH_WAIT_MS = 3000;

/**
 * The config for one per-call process, read fresh at every call (edits apply to the next
 * call) but parsed only when the file changed. When the file is missing or invalid, the
 * last good config is used, and without one the built-in defaults, so the call is always
 * answered; the problem is logged with its position. Nothing here throws.
 *
 * A large changed file (over INLINE_PARSE_BYTES) is not parsed while the caller waits: one
 * background process (`ivr __config --cache`) re-reads it into the cache, and meanwhile
 * calls get the last good config (or, with none, wait up to REFRESH_WAIT_MS for it and then
 * take the built-in defaults).
 */
export async function configForCall(flag: string | undefined, log: Logger, env: NodeJS.ProcessEnv = process.env, refreshWaitMs = REFRESH_WAIT_MS): Promise<LoadedConfig> {
  const location = findConfig(flag, env);
  if (!location) {
    log.error(`no config file found (looked at ${describeSearch()}); using the built-in defaults`);
    return { config: {}, path: undefined };
  }
  const { path } = location;
  try {
    return { config: await configOf(path, location.how, log, env, refreshWaitMs), path };
  } catch (error) {
    log.error(`config ${path}: ${error instanceof Error ? error.message : String(error)}; using the built-in defaults`);
    return { config: {}, path };
  }
}

async function configOf(path: string, how: string, log: Logger, env: NodeJS.ProcessEnv, refreshWaitMs: number): Promise<IvrConfig> {
  let stats: Stats | undefined;
  try {
    stats = statSync(path);
  } catch {
    stats = undefined;
  }
  const stamp = stats && fileStamp(stats);
  const cached = readCachedConfig(path, env);
  if (stamp && cached?.stamp === stamp && cached.config) return cached.config;
  if (stamp && cached?.rejected?.stamp === stamp) return fallBack(cached.rejected.errors, cached, path, log);

  if (stats?.isFile() && stats.size > INLINE_PARSE_BYTES && cacheAvailable(env) && (await startRefresh(path, env))) {
    if (cached?.config) {
      log.warn(`config ${path} changed and is large (${(stats.size / 1024 / 1024).toFixed(1)} MB): it is being read in the background; this call keeps the last good config (validated ${cached.savedAt})`);
      return cached.config;
    }
    const deadline = Date.now() + refreshWaitMs;
    while (refreshRunning(path, env) && Date.now() < deadline) await Bun.sleep(25);
    const refreshed = readCachedConfig(path, env);
    if (refreshed?.config && refreshed.stamp === stamp) return refreshed.config;
    if (refreshed?.rejected && refreshed.rejected.stamp === stamp) return fallBack(refreshed.rejected.errors, refreshed, path, log);
    log.error(`config ${path} is still being read after ${refreshWaitMs / 1000} s (${(stats.size / 1024 / 1024).toFixed(1)} MB); this call gets the built-in defaults`);
    return {};
  }

  const refusal = cacheRefusal(env);
  if (refusal) log.warn(refusal);
  try {
    const { loadConfigFile } = await import("./load.ts");
    const loaded = loadConfigFile(path);
    log.info(`✓ Config loaded from: ${path} (${how})`);
    writeCachedConfig(path, loaded.stamp, loaded.config, env);
    return loaded.config;
  } catch (error) {
    const errors = error instanceof ConfigError ? error.message.split("\n") : [`${path}: cannot read the config: ${String(error)}`];
    if (stamp) writeRejected(path, stamp, errors, env);
    return fallBack(errors, cached, path, log);
  }
}

function fallBack(errors: readonly string[], cached: CachedConfig | undefined, path: string, log: Logger): IvrConfig {
  for (const line of errors) log.error(line);
  if (cached?.config) {
    log.warn(`keeping the last good config of ${path} (validated ${cached.savedAt})`);
    return cached.config;
  }
  log.error("no valid config to fall back on; using the built-in defaults");
  return {};
}

/**
 * One background reader at a time; it outlives this call and never holds Asterisk's pipes.
 * False when no reader runs or can be started (the caller then parses the file itself).
 */
async function startRefresh(path: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (!claimRefresh(path, env)) return refreshRunning(path, env);
  try {
    const { childEnv, selfCommand } = await import("./self.ts"); // rarely needed: not on every call's start-up
    const child = Bun.spawn(selfCommand(["__config", "--cache", path]), {
      stdio: ["ignore", "ignore", "ignore"],
      env: childEnv({ ...process.env, ...env }),
      detached: true,
    });
    child.unref();
    return true;
  } catch {
    releaseRefresh(path, env);
    return false;
  }
}
