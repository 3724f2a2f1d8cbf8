import { lstatSync, mkdirSync, readFileSync, renameSync, type Stats, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { VERSION } from "../version.ts";
import type { IvrConfig } from "./schema.ts";

/**
 * The last good config of a file, validated, as JSON: a per-call process whose config file
 * is unchanged reads this instead of loading yaml and zod (about 10 ms of start-up), and a
 * call after an invalid edit still gets the last good menu. It lives in a directory only
 * our user can write: a cache others could plant would route our calls.
 */
export interface CachedConfig {
  /** The binary that validated it: another version may read the file differently. */
  version: string;
  path: string;
  /** The file's identity when it was read (inode, size, mtime, ctime). */
  stamp: string;
  savedAt: string;
  config: IvrConfig;
}

export function fileStamp(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

function privateDir(env: NodeJS.ProcessEnv): string | undefined {
  const uid = process.getuid?.() ?? -1;
  const dir = env.IVR_CACHE_DIR || join(tmpdir(), `ivr-cache-${uid}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stats = lstatSync(dir);
    const private_ = stats.isDirectory() && (uid === -1 || stats.uid === uid) && (stats.mode & 0o077) === 0;
    return private_ ? dir : undefined;
  } catch {
    return undefined;
  }
}

function cacheFile(configPath: string, env: NodeJS.ProcessEnv): string | undefined {
  const dir = privateDir(env);
  return dir && join(dir, `config-${Bun.hash(resolve(configPath)).toString(16)}.json`);
}

export function readCachedConfig(configPath: string, env: NodeJS.ProcessEnv = process.env): CachedConfig | undefined {
  const file = cacheFile(configPath, env);
  if (!file) return undefined;
  try {
    const cached = JSON.parse(readFileSync(file, "utf8")) as CachedConfig;
    return cached.version === VERSION && cached.path === resolve(configPath) ? cached : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: a cache that cannot be written only costs the next call a parse. */
export function writeCachedConfig(configPath: string, stamp: string, config: IvrConfig, env: NodeJS.ProcessEnv = process.env): void {
  const file = cacheFile(configPath, env);
  if (!file) return;
  const entry: CachedConfig = { version: VERSION, path: resolve(configPath), stamp, savedAt: new Date().toISOString(), config };
  try {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(temp, file); // atomic: concurrent calls never read half a file
  } catch {
    // Read-only or full disk: carry on without a cache.
  }
}
