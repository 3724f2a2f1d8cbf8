import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { ConfigError } from "./errors.ts";

/** Far above any real config (200,000 DIDs are about 8 MB); past it the file is refused unread. */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/**
 * The config file's text. Only a regular file is read: `--config /dev/zero` would never end
 * and a FIFO would block until a writer came. The file is opened without blocking (a FIFO
 * with no writer opens at once) and checked on the open descriptor, so it cannot be swapped
 * between the check and the read.
 */
export function readConfigText(path: string): { text: string; stats: Stats } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw cannotRead(path, error);
  }
  try {
    const stats = fstatSync(fd);
    const problem = notRegular(stats) ?? (stats.size > MAX_CONFIG_BYTES ? `it is ${megabytes(stats.size)}, more than a config can be (${megabytes(MAX_CONFIG_BYTES)})` : undefined);
    if (problem) throw new ConfigError(path, [{ path: "", message: `cannot read the config: ${problem}` }]);
    const bytes = Buffer.alloc(stats.size);
    let read = 0;
    // A file that grows while it is read is cut at the size it had: the next change reads it whole.
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return { text: bytes.toString("utf8", 0, read), stats };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw cannotRead(path, error);
  } finally {
    closeSync(fd);
  }
}

/** Why a file is not one we can read as a config, or undefined for a regular file. */
export function notRegular(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  const kind = stats.isDirectory()
    ? "a directory"
    : stats.isFIFO()
      ? "a FIFO (named pipe)"
      : stats.isCharacterDevice() || stats.isBlockDevice()
        ? "a device"
        : stats.isSocket()
          ? "a socket"
          : "not a regular file";
  return `it is ${kind}, not a regular file`;
}

function cannotRead(path: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (error as Error).message;
  return new ConfigError(path, [{ path: "", message: `cannot read the config: ${reason}` }]);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 1024 * 1024 ? 2 : 0)} MB`;
}
