import { constants, fstatSync, openSync, write as writeAsync, writeSync } from "node:fs";

/**
 * Writes some of `data` and calls `done` with how many bytes: at once, or later (0 when the
 * file is full for now); never blocking the caller. Text is written as it is (a Buffer costs
 * a per-call process a tenth of a millisecond on its first use); a Buffer is the rest of a
 * partial write.
 */
export type WriteFn = (data: string | Buffer, done: (error: Error | null, written?: number) => void) => void;

/** How long a full pipe or socket is left alone before the next try. */
const RETRY_MS = 20;

/**
 * The way to write to `fd` that never blocks the event loop, by what the fd is. Per call,
 * stderr is Asterisk's own (a journald socket, /dev/null, a terminal), so O_NONBLOCK must never
 * be set on it: that flag belongs to the open file description Asterisk shares, and Asterisk's
 * own writes would start failing with EAGAIN (process.stderr does set it on a pipe).
 * - a regular file: written synchronously, the kernel takes it at once (almost always: a
 *   file system busy with another process's fsync can hold a write for milliseconds, so a
 *   server asks for `regularFilesOffThread`: the asynchronous write below);
 * - a pipe or a terminal: a private non-blocking open file description of the same file,
 *   opened through /proc/self/fd/N, written synchronously; EAGAIN when full;
 * - a socket (journald's stream): send(2) with MSG_DONTWAIT, non-blocking for that one call;
 * - if none of that works: node:fs's asynchronous write on Bun's thread pool, which leaves the
 *   descriptor alone but may lag on a loaded machine.
 * Synchronous writes land before the next line runs: a per-call process that exits right
 * after logging loses nothing, however loaded the machine.
 */
export function nonBlockingWriter(fd: number, options: { regularFilesOffThread?: boolean } = {}): WriteFn {
  try {
    const stat = fstatSync(fd);
    if (stat.isFile()) return options.regularFilesOffThread ? threadPoolWriter(fd) : syncWriter((data) => writeTo(fd, data));
    if (stat.isSocket()) return syncWriter(socketSender(fd));
    const own = openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_NONBLOCK);
    return syncWriter((data) => writeTo(own, data));
  } catch {
    return threadPoolWriter(fd);
  }
}

function threadPoolWriter(fd: number): WriteFn {
  return (data, done) => {
    const callback = (error: Error | null, written: number) => done(error, written);
    if (typeof data === "string") writeAsync(fd, data, callback);
    else writeAsync(fd, data, callback);
  };
}

// Two calls, one per writeSync overload.
const writeTo = (fd: number, data: string | Buffer) => (typeof data === "string" ? writeSync(fd, data) : writeSync(fd, data));

class Again extends Error {}

/** `write` returns how much it wrote, or throws (Again, or an error with code EAGAIN, when full). */
function syncWriter(write: (data: string | Buffer) => number): WriteFn {
  return (data, done) => {
    let written: number;
    try {
      written = write(data);
    } catch (error) {
      if (!(error instanceof Again) && (error as NodeJS.ErrnoException).code !== "EAGAIN") return done(error as Error);
      setTimeout(() => done(null, 0), RETRY_MS).unref?.();
      return;
    }
    done(null, written);
  };
}

const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const EAGAIN = 11;

/** send(fd, data, MSG_DONTWAIT | MSG_NOSIGNAL) through libc; loaded only for a socket. */
function socketSender(fd: number): (data: string | Buffer) => number {
  const { dlopen, FFIType, ptr, read } = require("bun:ffi") as typeof import("bun:ffi");
  const libc = dlopen("libc.so.6", {
    send: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
    __errno_location: { args: [], returns: FFIType.ptr },
  });
  return (data) => {
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    const sent = Number(libc.symbols.send(fd, ptr(bytes), bytes.length, MSG_DONTWAIT | MSG_NOSIGNAL));
    if (sent >= 0) return sent;
    const errno = read.i32(libc.symbols.__errno_location()!, 0);
    if (errno === EAGAIN) throw new Again();
    throw Object.assign(new Error(`send failed (errno ${errno})`), { errno });
  };
}
