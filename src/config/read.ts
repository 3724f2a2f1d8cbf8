import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { ConfigError } from "./errors.ts";

/** Far above any real config (200,000 DIDs are about 8 MB) or extensions.conf; past it a file is refused unread. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** A file we will not read, and why, in words (no such file, a FIFO, too large). */
export class UnreadableFile extends Error {
  override name = "UnreadableFile";
}

/**
 * The bytes of a regular file. Anything else is refused: `/dev/zero` would never end and a
 * FIFO would block until a writer came. The file is opened without blocking (a FIFO with no
 * writer opens at once) and checked on the open descriptor, so it cannot be swapped between
 * the check and the read. Symbolic links are followed.
 */
export function readRegularFile(path: string): { bytes: Buffer; stats: Stats } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UnreadableFile(reasonOf(error));
  }
  try {
    const stats = fstatSync(fd);
    const problem = notRegular(stats) ?? (stats.size > MAX_FILE_BYTES ? `it is ${megabytes(stats.size)}, more than we read (${megabytes(MAX_FILE_BYTES)})` : undefined);
    if (problem) throw new UnreadableFile(problem);
    const bytes = Buffer.alloc(stats.size);
    let read = 0;
    // A file that grows while it is read is cut at the size it had: the next change reads it whole.
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return { bytes: bytes.subarray(0, read), stats };
  } catch (error) {
    if (error instanceof UnreadableFile) throw error;
    throw new UnreadableFile(reasonOf(error));
  } finally {
    closeSync(fd);
  }
}

/** The config file's text; a ConfigError when it cannot be read. */
export function readConfigText(path: string): { text: string; stats: Stats } {
  try {
    const { bytes, stats } = readRegularFile(path);
    return { text: bytes.toString("utf8"), stats };
  } catch (error) {
    throw new ConfigError(path, [{ path: "", message: `cannot read the config: ${(error as Error).message}` }]);
  }
}

function notRegular(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  const kind = stats.isDirectory()
    ? "a directory"
    : stats.isFIFO()
      ? "a FIFO (named pipe)"
      : stats.isCharacterDevice() || stats.isBlockDevice()
        ? "a device"
        : stats.isSocket()
          ? "a socket"
          : "something else";
  return `it is ${kind}, not a regular file`;
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES") return "permission denied";
  if (code === "ENXIO") return "it is a socket, not a regular file"; // open() of a Unix socket
  return (error as Error).message;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}
