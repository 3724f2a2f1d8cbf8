import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, type Stats, statSync, unlinkSync, writeFileSync } from "node:fs";
import { VERSION } from "../version.ts";
import { inDirectory, resolve } from "./posix-path.ts";
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
  /** null when the file has never been valid. */
  config: IvrConfig | null;
  /** The file as it is now is invalid: its identity and errors, so calls do not parse it again. */
  rejected?: { stamp: string; errors: string[] };
}

export function fileStamp(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/**
 * os.tmpdir() as Node defines it on POSIX ($TMPDIR, $TMP, $TEMP, else /tmp; no trailing
 * slash), without importing node:os: its start-up (it counts the CPUs) costs every call.
 */
export function tempDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.TMPDIR || env.TMP || env.TEMP || "/tmp";
  return dir.length > 1 && dir.endsWith("/") ? dir.slice(0, -1) : dir;
}

/** The cache directory, or why it is not used. */
function cacheDir(env: NodeJS.ProcessEnv): { dir: string; refused?: string } {
  const uid = process.getuid?.() ?? -1;
  const dir = env.IVR_CACHE_DIR || inDirectory(tempDir(env), `ivr-cache-${uid}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stats = lstatSync(dir);
    if (!stats.isDirectory()) return { dir, refused: "it is not a directory" };
    if (uid !== -1 && stats.uid !== uid) return { dir, refused: `it belongs to uid ${stats.uid}, not to this process's uid ${uid}` };
    if ((stats.mode & 0o077) !== 0) return { dir, refused: `others may write to it (mode ${(stats.mode & 0o777).toString(8)}; chmod 700 it)` };
    return { dir };
  } catch (error) {
    return { dir, refused: `it cannot be made: ${(error as Error).message}` };
  }
}

function privateDir(env: NodeJS.ProcessEnv): string | undefined {
  const { dir, refused } = cacheDir(env);
  return refused ? undefined : dir;
}

/**
 * Why no cache can be kept, for the log line of a call that parses the config because of it
 * (every call then pays the parse); undefined when the cache is usable.
 */
export function cacheRefusal(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { dir, refused } = cacheDir(env);
  return refused && `the config cache directory ${dir} is not used, ${refused}: every call parses the config`;
}

function cacheFile(configPath: string, env: NodeJS.ProcessEnv): string | undefined {
  const dir = privateDir(env);
  return dir && inDirectory(dir, `config-${Bun.hash(resolve(configPath)).toString(16)}.json`);
}

/** Whether a cache can be kept at all (a private directory exists or can be made). */
export function cacheAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return privateDir(env) !== undefined;
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
  writeEntry(configPath, { version: VERSION, path: resolve(configPath), stamp, savedAt: new Date().toISOString(), config }, env);
}

/** Remembers that the file with this stamp is invalid, keeping the last good config beside it. */
export function writeRejected(configPath: string, stamp: string, errors: string[], env: NodeJS.ProcessEnv = process.env): void {
  const previous = readCachedConfig(configPath, env);
  const entry: CachedConfig = previous ?? { version: VERSION, path: resolve(configPath), stamp: "", savedAt: new Date().toISOString(), config: null };
  writeEntry(configPath, { ...entry, rejected: { stamp, errors } }, env);
}

function writeEntry(configPath: string, entry: CachedConfig, env: NodeJS.ProcessEnv): void {
  const file = cacheFile(configPath, env);
  if (!file) return;
  try {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(temp, file); // atomic: concurrent calls never read half a file
  } catch {
    // Read-only or full disk: carry on without a cache.
  }
}

/** A refresh that has not finished in this long died: another process may take over. */
const REFRESH_STALE_MS = 120_000;

function refreshLock(configPath: string, env: NodeJS.ProcessEnv): string | undefined {
  const file = cacheFile(configPath, env);
  return file && `${file}.refreshing`;
}

/**
 * Claims the right to re-read the config in the background: true for one process at a time
 * (O_EXCL), so that a hundred calls after an edit of a large file start one parser, not a
 * hundred. A claim older than REFRESH_STALE_MS is taken over.
 */
export function claimRefresh(configPath: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const lock = refreshLock(configPath, env);
  if (!lock) return false;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(lock, "wx", 0o600));
      return true;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs < REFRESH_STALE_MS) return false;
        unlinkSync(lock);
      } catch {
        // Gone meanwhile: try again.
      }
    }
  }
  return false;
}

export function refreshRunning(configPath: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const lock = refreshLock(configPath, env);
  return lock !== undefined && existsSync(lock);
}

export function releaseRefresh(configPath: string, env: NodeJS.ProcessEnv = process.env): void {
  const lock = refreshLock(configPath, env);
  try {
    if (lock) unlinkSync(lock);
  } catch {
    // Already gone.
  }
}
