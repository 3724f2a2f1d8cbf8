import { chmodSync, chownSync, closeSync, copyFileSync, fsyncSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { readRegularFile } from "../config/read.ts";
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

/**
 * The file is handled as bytes, each byte one character of a "binary" (latin1) string, so
 * every byte outside the block survives whatever its encoding (a Latin-1 comment stays
 * Latin-1); the generated block, which is UTF-8, is turned into such bytes before it goes in.
 */
const asBytes = (text: string) => Buffer.from(text, "utf8").toString("latin1");
const asText = (bytes: string) => Buffer.from(bytes, "latin1").toString("utf8");

/** The new file contents and what would change, without writing anything (ivr dialplan --check). */
export function planBlockWrite(file: string, block: readonly string[]): { target: string; before: string; after: string; diff: BlockDiff; markersAdded: boolean } {
  let target: string;
  let before: string;
  try {
    target = realpathSync(file);
    before = readRegularFile(target).bytes.toString("latin1");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new Error(`cannot read ${file}: ${reason}`);
  }
  const previous = currentBlock(before);
  const after = replaceBlock(before, block.map(asBytes));
  return { target, before, after, diff: diffBlocks((previous ?? []).map(asText), block), markersAdded: previous === undefined };
}

/** Refuses a block Asterisk would misread: nothing generated is written, or printed, unchecked. */
export function assertSoundBlock(block: readonly string[], consequence: string): void {
  const problems = checkExtensionsConf(block.join("\n"));
  if (problems.length) throw new Error(`the generated block is not valid extensions.conf, ${consequence}:\n  ${problems.join("\n  ")}`);
}

/**
 * Writes the block into the file between the markers: refused if the block is not sound
 * extensions.conf; nothing written when nothing changes (a second run is a no-op);
 * otherwise the old file is kept as .bak and the new one replaces it atomically (a
 * temporary file beside it, fsync, rename), with the old file's mode and owner. A symbolic
 * link is followed: its target is rewritten (beside the target) and the link stays.
 */
export function writeBlock(file: string, block: readonly string[]): BlockWrite {
  assertSoundBlock(block, "nothing written");
  const { target, before, after, diff, markersAdded } = planBlockWrite(file, block);
  if (after === before) return { changed: false, diff, markersAdded: false };
  const stats = statSync(target);
  const backup = `${target}.bak`;
  copyFileSync(target, backup);
  const temp = join(dirname(target), `.${basename(target)}.ivr-${process.pid}`);
  const fd = openSync(temp, "w", stats.mode & 0o7777);
  try {
    writeSync(fd, Buffer.from(after, "latin1"));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(temp, stats.mode & 0o7777);
    if (process.getuid?.() === 0) chownSync(temp, stats.uid, stats.gid);
    renameSync(temp, target);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
  return { changed: true, diff, backup, markersAdded };
}
