import { type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname } from "node:path";
import type { Logger } from "../log.ts";
import { fileStamp } from "./cache.ts";
import { ConfigError } from "./errors.ts";
import { type LoadedFile, loadConfigFile } from "./load.ts";
import type { IvrConfig } from "./schema.ts";

/** One validated config. Never mutated: a call holds on to the snapshot it started with. */
export interface ConfigSnapshot {
  readonly config: IvrConfig;
  readonly path: string;
  /** 1 for the config loaded at start, +1 for every successful reload. */
  readonly generation: number;
  readonly loadedAt: Date;
}

/** The outcome of the last reload that read the file: `errors` as logged, `file:line:col: key: message`. */
export interface ReloadAttempt {
  readonly at: Date;
  readonly ok: boolean;
  readonly errors: readonly string[];
}

/** Reads and validates the file; throws ConfigError. ivr serve reads in a child process (child.ts). */
export type ConfigReader = (path: string) => Promise<LoadedFile>;

export const readInProcess: ConfigReader = async (path) => loadConfigFile(path);

/**
 * The config of a long-running `ivr serve`: loaded once, then re-read when the file changes.
 * A new snapshot replaces the old one in a single assignment; an invalid edit, or anything
 * else that goes wrong while reading, is logged and the last good config stays in force.
 * Reloads run one at a time, through `reader` (off the event loop in ivr serve).
 */
export class ConfigStore {
  private snapshot: ConfigSnapshot;
  private lastHash: string;
  private lastStamp: string | undefined;
  private readonly listeners: Array<(snapshot: ConfigSnapshot) => void> = [];
  private running: Promise<boolean> | undefined;
  private again = false;
  private attempt: ReloadAttempt | undefined;

  private constructor(
    readonly path: string,
    loaded: LoadedFile,
    private readonly log: Logger,
    private readonly reader: ConfigReader,
  ) {
    this.snapshot = { config: loaded.config, path, generation: 1, loadedAt: new Date() };
    this.lastHash = loaded.hash;
    this.lastStamp = loaded.stamp;
  }

  /** Loads the file in this process (nothing to serve yet); throws ConfigError when it is missing or invalid. */
  static open(path: string, log: Logger, reader: ConfigReader = readInProcess): ConfigStore {
    return new ConfigStore(path, loadConfigFile(path), log, reader);
  }

  get current(): ConfigSnapshot {
    return this.snapshot;
  }

  /** The last reload that read the file (none yet: undefined); a failed one until the file reads well again. */
  get lastReload(): ReloadAttempt | undefined {
    return this.attempt;
  }

  onReload(listener: (snapshot: ConfigSnapshot) => void): void {
    this.listeners.push(listener);
  }

  /** Re-reads the file if it changed since it was last read (cheap: one stat otherwise). */
  async checkForChange(): Promise<boolean> {
    if (this.running) return this.running;
    if (stampOf(this.path) === this.lastStamp) return false;
    return this.reload();
  }

  /**
   * Re-reads the file; true when a new config is now in force. A reload asked for while one
   * runs is done once more after it (the file may have changed again meanwhile).
   */
  reload(): Promise<boolean> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let changed = false;
      do {
        this.again = false;
        changed = (await this.reloadOnce()) || changed;
      } while (this.again);
      return changed;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async reloadOnce(): Promise<boolean> {
    const stamp = stampOf(this.path);
    let loaded: LoadedFile;
    try {
      loaded = await this.reader(this.path);
    } catch (error) {
      this.lastStamp = stamp; // the poll does not retry a broken file until it changes
      const lines = error instanceof ConfigError ? error.message.split("\n") : [`config ${this.path}: cannot read the config: ${String(error)}`];
      for (const line of lines) this.log.error(line);
      this.attempt = { at: new Date(), ok: false, errors: lines };
      this.log.warn(`config not reloaded: keeping the last good config (generation ${this.snapshot.generation})`);
      return false;
    }
    // Changed while it was read: a save in progress. The next event or poll reads it whole.
    if (stampOf(this.path) !== loaded.stamp) return false;
    this.lastStamp = loaded.stamp;
    this.attempt = { at: new Date(), ok: true, errors: [] };
    if (loaded.hash === this.lastHash) return false;
    this.lastHash = loaded.hash;
    this.snapshot = { config: loaded.config, path: this.path, generation: this.snapshot.generation + 1, loadedAt: new Date() };
    this.log.info(`✓ Config reloaded successfully! (${this.path}, generation ${this.snapshot.generation})`);
    for (const listener of this.listeners) {
      try {
        listener(this.snapshot);
      } catch (error) {
        this.log.error(`after the config reload: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
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
        // Compares content: a same-size edit in the same timestamp tick still counts.
        void this.reload().finally(armFileWatcher);
      }, debounceMs);
    };
    const dirWatcher = quietWatch(dirname(this.path), (filename) => {
      if (!filename || filename === name) schedule();
    });
    armFileWatcher();
    if (!dirWatcher) this.log.warn(`cannot watch ${dirname(this.path)}: config changes are noticed by polling every ${pollMs / 1000} s`);
    const poll = setInterval(() => void this.checkForChange(), pollMs);
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
