import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type HistoryConnection, isBusyError } from "./connection.ts";
import { insertRecord } from "./insert.ts";
import { type CallRecord, recordKey } from "./record.ts";

/**
 * Call records that could not be written to the history when they were due (the database
 * locked by a backup, a full disk), kept as one JSON file each in `spool/` beside the
 * database, until a later writer imports them. A caller never waits for the database: the
 * record goes here instead, and nothing is lost.
 *
 * Files: `<started_at>-<uniqueid>-<pid>-<random>.json`, written under a dot-name and
 * renamed (atomic: an importer never sees half a file). Importing claims a file by
 * renaming it to `<name>.claimed-<ms>-<pid>` (only one importer wins a rename), inserts,
 * commits, then deletes. A claim older than STALE_CLAIM_MS (its importer died) is taken
 * over. A crash between the commit and the delete leaves a claim whose record is already
 * stored: the calls.record_key unique index makes the next import of it a no-op.
 */
export const SPOOL_DIR_NAME = "spool";
const STALE_CLAIM_MS = 60_000;
const CLAIM = /\.claimed-(\d+)-\d+$/;

export function spoolDirFor(dbPath: string): string {
  return join(dirname(dbPath), SPOOL_DIR_NAME);
}

/** Writes one record to the spool; returns the file. Throws if even that fails (the disk is gone). */
export function spoolRecord(dir: string, record: CallRecord): string {
  mkdirSync(dir, { recursive: true });
  const uniqueid = record.call.uniqueid.replace(/[^A-Za-z0-9.]/g, "_").slice(0, 64);
  const name = `${record.call.startedAt}-${uniqueid}-${process.pid}-${Math.random().toString(36).slice(2, 10)}.json`;
  const temporary = join(dir, `.${name}.tmp`);
  writeFileSync(temporary, JSON.stringify(record));
  renameSync(temporary, join(dir, name));
  return join(dir, name);
}

/** Records waiting in the spool (claimed ones included: they are not stored until deleted). */
export function spooledCount(dir: string): number {
  return spoolEntries(dir).length;
}

function spoolEntries(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => !name.startsWith(".") && (name.endsWith(".json") || CLAIM.test(name)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

export interface ImportResult {
  /** Records stored by this import. */
  imported: number;
  /** Records that were already stored (an earlier import crashed before deleting its file). */
  duplicates: number;
  /** Files that are not a record (moved aside as `.bad`). */
  bad: string[];
}

/**
 * Imports up to `maxFiles` spooled records, oldest first, in one transaction. Throws what
 * the database throws (busy, full): the claimed files are then put back for the next try.
 */
export function importSpool(history: HistoryConnection, dir: string, options: { maxFiles: number; now?: number }): ImportResult {
  const now = options.now ?? Date.now();
  const result: ImportResult = { imported: 0, duplicates: 0, bad: [] };
  const candidates = spoolEntries(dir)
    .filter((name) => {
      const claimedAt = CLAIM.exec(name)?.[1];
      return claimedAt === undefined || now - Number(claimedAt) > STALE_CLAIM_MS;
    })
    .sort();
  const claimed: Array<{ original: string; path: string; record: CallRecord }> = [];
  for (const name of candidates) {
    if (claimed.length >= options.maxFiles) break;
    const original = name.replace(CLAIM, "");
    const path = join(dir, `${original}.claimed-${now}-${process.pid}`);
    try {
      renameSync(join(dir, name), path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue; // another importer took it
      throw error;
    }
    const record = readRecord(path);
    if (!record) {
      renameSync(path, join(dir, `${original}.bad`));
      result.bad.push(original);
      continue;
    }
    claimed.push({ original, path, record });
  }
  if (!claimed.length) return result;
  const rejected = new Set<string>();
  try {
    history.sqlite.transaction(() => {
      for (const { original, record } of claimed) {
        try {
          if (insertRecord(history, record) === undefined) result.duplicates++;
          else result.imported++;
        } catch (error) {
          // A record the database refuses (a constraint, a value it cannot bind) is set
          // aside and the rest imported; when the database itself fails (busy, full, I/O),
          // all of them wait for the next try.
          if (!isRecordError(error)) throw error;
          rejected.add(original);
        }
      }
    })();
  } catch (error) {
    for (const { original, path } of claimed) {
      try {
        renameSync(path, join(dir, original));
      } catch {
        // Left claimed: it is taken over once the claim is stale.
      }
    }
    throw error;
  }
  for (const { original, path } of claimed) {
    if (!rejected.has(original)) {
      unlinkSync(path);
      continue;
    }
    renameSync(path, join(dir, `${original}.bad`));
    result.bad.push(original);
  }
  return result;
}

function isRecordError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== "string" || !code.startsWith("SQLITE")) return !isBusyError(error);
  return code.startsWith("SQLITE_CONSTRAINT") || code === "SQLITE_MISMATCH" || code === "SQLITE_TOOBIG";
}

function readRecord(path: string): CallRecord | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<CallRecord>;
    const call = parsed.call;
    if (!call || typeof call.uniqueid !== "string" || typeof call.startedAt !== "number" || typeof call.status !== "string") return undefined;
    return { call: { ...call, recordKey: call.recordKey ?? recordKey(call.uniqueid, call.startedAt) }, decisions: Array.isArray(parsed.decisions) ? parsed.decisions : [] };
  } catch {
    return undefined;
  }
}
