import { closeSync, fstatSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** When the file is set aside for a new one (logrotate's numbering: path.1 is the newest). */
export interface Rotation {
  /** Rotated before a write would take it past this size. */
  maxBytes: number;
  /** Rotated once it was created longer ago than this. */
  maxAgeMs: number;
  /** Rotated files kept (path.1 to path.N); older ones are deleted. 0 keeps none. */
  keep: number;
}

export interface JsonLinesFileOptions {
  /** Lines are gathered for this long and written together; 0 writes each line at once. */
  flushMs?: number;
  /** Told once when writing starts failing (and lines are dropped), and when it works again. */
  onError?: (message: string) => void;
  onRecovered?: () => void;
  clock?: () => number;
}

/** Gathered lines past this are written at once rather than at the timer. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** A rotation lock older than this was left by a process that died while rotating. */
const STALE_LOCK_MS = 60_000;

/**
 * A JSON lines file that several processes append to (ivr serve and per-call processes),
 * rotated by size and age. ivr serve gathers lines and writes them together off the request
 * path; a per-call process writes its one line at once. Whoever writes past a limit rotates,
 * under a lock file, and the others notice the new file by its inode at their next write.
 */
export class JsonLinesFile {
  private lines: string[] = [];
  private bufferedBytes = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private fd: number | undefined;
  private inode = 0;
  /** When the open file was created (where the file system does not tell: when we first saw it). */
  private bornAt = 0;
  private failing = false;
  private readonly flushMs: number;
  private readonly clock: () => number;

  constructor(
    readonly path: string,
    private rotation: Rotation,
    private readonly options: JsonLinesFileOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 0;
    this.clock = options.clock ?? Date.now;
  }

  /** Takes effect at the next write (a config reload). */
  setRotation(rotation: Rotation): void {
    this.rotation = rotation;
  }

  /** One line (JSON without a line break). */
  append(line: string): void {
    if (this.bufferedBytes + line.length > MAX_BUFFERED_BYTES) this.flush();
    this.lines.push(line);
    this.bufferedBytes += line.length + 1;
    if (this.flushMs <= 0) return this.flush();
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref?.();
    }
  }

  /** Writes what is gathered now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0) return;
    const text = `${this.lines.join("\n")}\n`;
    this.lines = [];
    this.bufferedBytes = 0;
    try {
      this.write(text);
      if (this.failing) this.options.onRecovered?.();
      this.failing = false;
    } catch (error) {
      this.closeFd();
      if (!this.failing) this.options.onError?.((error as Error).message);
      this.failing = true;
    }
    if (this.flushMs <= 0) this.closeFd();
  }

  /** Writes what is gathered and closes the file. */
  close(): void {
    this.flush();
    this.closeFd();
  }

  private write(text: string): void {
    // Another process may have rotated the file since the last write: follow the path.
    if (this.fd !== undefined && statSync(this.path, { throwIfNoEntry: false })?.ino !== this.inode) this.closeFd();
    let file = this.open();
    const bytes = Buffer.byteLength(text);
    if (file.size > 0 && (file.size + bytes > this.rotation.maxBytes || this.clock() - this.bornAt >= this.rotation.maxAgeMs)) {
      rotate(this.path, this.inode, this.rotation.keep);
      this.closeFd();
      file = this.open();
    }
    let data = Buffer.from(text);
    while (data.length > 0) data = data.subarray(writeSync(this.fd!, data));
  }

  private open() {
    this.fd ??= openSync(this.path, "a");
    const file = fstatSync(this.fd);
    if (file.ino !== this.inode) this.bornAt = file.birthtimeMs > 0 ? file.birthtimeMs : this.clock();
    this.inode = file.ino;
    return file;
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already gone; nothing to release.
    }
    this.fd = undefined;
  }
}

/**
 * Sets the file at `path` aside as path.1 (path.1 becomes path.2, ... up to `keep`), unless
 * another process got there first: under the lock, the file must still be the one we saw
 * (`inode`). Returns false when another process holds the lock (it is rotating now).
 */
export function rotate(path: string, inode: number, keep: number): boolean {
  const lock = `${path}.rotating`;
  let lockFd: number;
  try {
    lockFd = openSync(lock, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const held = statSync(lock, { throwIfNoEntry: false });
    if (held && Date.now() - held.mtimeMs < STALE_LOCK_MS) return false;
    ignoreMissing(() => unlinkSync(lock));
    return rotate(path, inode, keep);
  }
  try {
    if (statSync(path, { throwIfNoEntry: false })?.ino !== inode) return true;
    if (keep <= 0) {
      unlinkSync(path);
    } else {
      for (let n = keep - 1; n >= 1; n--) ignoreMissing(() => renameSync(`${path}.${n}`, `${path}.${n + 1}`));
      renameSync(path, `${path}.1`);
    }
    removeBeyond(path, keep);
    return true;
  } finally {
    closeSync(lockFd);
    ignoreMissing(() => unlinkSync(lock));
  }
}

/** Rotated files numbered past `keep` (left by a larger `keep` before a config change). */
function removeBeyond(path: string, keep: number): void {
  const prefix = `${basename(path)}.`;
  for (const name of readdirSync(dirname(path))) {
    if (!name.startsWith(prefix)) continue;
    const n = name.slice(prefix.length);
    if (/^\d+$/.test(n) && Number(n) > keep) ignoreMissing(() => unlinkSync(join(dirname(path), name)));
  }
}

function ignoreMissing(action: () => void): void {
  try {
    action();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
