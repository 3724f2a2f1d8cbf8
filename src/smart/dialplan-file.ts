import { chmodSync, chownSync, closeSync, copyFileSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { type BlockDiff, diffBlocks } from "./block-diff.ts";
import { checkExtensionsConf } from "./dialplan-check.ts";
import { currentBlock, replaceBlock } from "./markers.ts";

export interface BlockWrite {
  changed: boolean;
  diff: BlockDiff;
  /** The previous file, kept when it changed. */
  backup?: string;
  markersAdded: boolean;
}

/** The new file text and what would change, without writing anything (ivr dialplan --check). */
export function planBlockWrite(file: string, block: readonly string[]): { before: string; after: string; diff: BlockDiff; markersAdded: boolean } {
  let before: string;
  try {
    before = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}`);
  }
  const previous = currentBlock(before);
  const after = replaceBlock(before, block);
  return { before, after, diff: diffBlocks(previous ?? [], block), markersAdded: previous === undefined };
}

/**
 * Writes the block into the file between the markers: refused if the block is not sound
 * extensions.conf; nothing written when nothing changes (a second run is a no-op);
 * otherwise the old file is kept as FILE.bak and the new one replaces it atomically (a
 * temporary file beside it, fsync, rename), with the old file's mode and owner.
 */
export function writeBlock(file: string, block: readonly string[]): BlockWrite {
  const problems = checkExtensionsConf(block.join("\n"));
  if (problems.length) throw new Error(`the generated block is not valid extensions.conf, nothing written:\n  ${problems.join("\n  ")}`);
  const { before, after, diff, markersAdded } = planBlockWrite(file, block);
  if (after === before) return { changed: false, diff, markersAdded: false };
  const stats = statSync(file);
  const backup = `${file}.bak`;
  copyFileSync(file, backup);
  const temp = join(dirname(file), `.${basename(file)}.ivr-${process.pid}`);
  const fd = openSync(temp, "w", stats.mode & 0o7777);
  try {
    writeSync(fd, after);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(temp, stats.mode & 0o7777);
    if (process.getuid?.() === 0) chownSync(temp, stats.uid, stats.gid);
    renameSync(temp, file);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
  return { changed: true, diff, backup, markersAdded };
}
