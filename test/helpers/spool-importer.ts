/**
 * A process importing the spool in small batches, as per-call processes and ivr serve do,
 * until it is empty; prints "done N" (records it imported).
 * Usage: bun test/helpers/spool-importer.ts DB_PATH SPOOL_DIR BATCH
 */
import { isBusyError, openHistory } from "../../src/history/db.ts";
import { importSpool, spooledCount } from "../../src/history/spool.ts";

const [path, dir, batch = "5"] = process.argv.slice(2);
if (!path || !dir) throw new Error("usage: spool-importer.ts DB_PATH SPOOL_DIR BATCH");
const history = openHistory(path, { busyTimeoutMs: 50 });
let imported = 0;
while (spooledCount(dir) > 0) {
  try {
    imported += importSpool(history, dir, { maxFiles: Number(batch) }).imported;
  } catch (error) {
    if (!isBusyError(error)) throw error;
  }
}
history.close();
process.stdout.write(`done ${imported}\n`);
