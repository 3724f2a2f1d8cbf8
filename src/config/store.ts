import { type FSWatcher, readFileSync, statSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { Logger } from "../log.ts";
import { fileStamp } from "./cache.ts";
import { ConfigError } from "./errors.ts";
import { parseConfig } from "./load.ts";
import type { IvrConfig } from "./schema.ts";

/** One validated config. Never mutated: a call holds on to the snapshot it started with. */
export interface ConfigSnapshot {
  readonly config: IvrConfig;
  readonly path: string;
  /** 1 for the config loaded at start, +1 for every successful reload. */
  readonly generation: number;
  readonly loadedAt: Date;
}

/**
 * The config of a long-running `ivr serve`: loaded once, then re-read when the file changes.
 * A new snapshot replaces the old one in a single assignment; an invalid edit is logged
 * with its position and the last good config stays in force.
 */
export class ConfigStore {
  private snapshot: ConfigSnapshot;
  private lastText: string;
  private lastStamp: string | undefined;
  private readonly listeners: Array<(snapshot: ConfigSnapshot) => void> = [];

  private constructor(
    readonly path: string,
    config: IvrConfig,
    text: string,
    private readonly log: Logger,
  ) {
    this.snapshot = { config, path, generation: 1, loadedAt: new Date() };
    this.lastText = text;
    this.lastStamp = stampOf(path);
  }

  /** Loads the file; throws ConfigError when it is missing or invalid. */
  static open(path: string, log: Logger): ConfigStore {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new ConfigError(path, [{ path: "", message: `cannot read the config: ${(error as Error).message}` }]);
    }
    return new ConfigStore(path, parseConfig(text, path), text, log);
  }

  get current(): ConfigSnapshot {
    return this.snapshot;
  }

  onReload(listener: (snapshot: ConfigSnapshot) => void): void {
    this.listeners.push(listener);
  }

  /** Re-reads the file if it changed since it was last read (cheap: one stat otherwise). */
  checkForChange(): boolean {
    const stamp = stampOf(this.path);
    if (stamp === this.lastStamp) return false;
    return this.reload();
  }

  /** Re-reads the file; true when a new config is now in force. */
  reload(): boolean {
    const stamp = stampOf(this.path);
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      this.lastStamp = stamp;
      this.log.warn(`config ${this.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? error}); keeping generation ${this.snapshot.generation}`);
      return false;
    }
    // Changed while we read it: a save in progress. The next event or poll reads it whole.
    if (stampOf(this.path) !== stamp) return false;
    this.lastStamp = stamp;
    if (text === this.lastText) return false;
    this.lastText = text;
    if (text.trim() === "") {
      // Valid YAML, but swapping a working menu for nothing is never what a save meant.
      this.log.warn(`config ${this.path} is empty; keeping the last good config (generation ${this.snapshot.generation})`);
      return false;
    }
    let config: IvrConfig;
    try {
      config = parseConfig(text, this.path);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const line of error.message.split("\n")) this.log.error(line);
      this.log.warn(`config not reloaded: keeping the last good config (generation ${this.snapshot.generation})`);
      return false;
    }
    this.snapshot = { config, path: this.path, generation: this.snapshot.generation + 1, loadedAt: new Date() };
    this.log.info(`✓ Config reloaded successfully! (${this.path}, generation ${this.snapshot.generation})`);
    for (const listener of this.listeners) listener(this.snapshot);
    return true;
  }

  /**
   * Watches the file and its directory: editors that save by writing a new file and renaming
   * it over the old one leave a watch on the file itself pointing at a deleted inode, so the
   * directory watch catches those, and the file watch is re-armed after each reload. Bursts of
   * events (one save can make several) are debounced. A slow poll of the file's identity
   * catches what inotify cannot (network file systems, exhausted watches, a missed event).
   * Returns a function that stops watching.
   */
  watch(debounceMs = 150, pollMs = 2000): () => void {
    const name = basename(this.path);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let fileWatcher: FSWatcher | undefined;
    const armFileWatcher = () => {
      fileWatcher?.close();
      fileWatcher = quietWatch(this.path, () => schedule());
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.reload(); // compares content: a same-size edit in the same timestamp tick still counts
        armFileWatcher();
      }, debounceMs);
    };
    const dirWatcher = quietWatch(dirname(this.path), (filename) => {
      if (!filename || filename === name) schedule();
    });
    armFileWatcher();
    if (!dirWatcher) this.log.warn(`cannot watch ${dirname(this.path)}: config changes are noticed by polling every ${pollMs / 1000} s`);
    const poll = setInterval(() => this.checkForChange(), pollMs);
    poll.unref?.();
    return () => {
      clearTimeout(timer);
      clearInterval(poll);
      dirWatcher?.close();
      fileWatcher?.close();
    };
  }
}

function stampOf(path: string): string | undefined {
  try {
    return fileStamp(statSync(path));
  } catch {
    return undefined;
  }
}

/** fs.watch that never throws: a path that is gone or unwatchable just gives no watcher. */
function quietWatch(path: string, onChange: (filename: string | null) => void): FSWatcher | undefined {
  try {
    const watcher = watch(path, { persistent: false }, (_event, filename) => onChange(filename ? String(filename) : null));
    watcher.on("error", () => watcher.close());
    return watcher;
  } catch {
    return undefined;
  }
}
