/**
 * Another process holding the history's write lock, as a backup or a slow `ivr calls` would:
 * BEGIN EXCLUSIVE, "locked" on stdout, then holds it until a line arrives on stdin (or
 * HOLD_MS passes), commits, "released", exits.
 * Usage: bun test/helpers/db-locker.ts DB_PATH [HOLD_MS]
 */
import { Database } from "bun:sqlite";

const [path, holdMs = "20000"] = process.argv.slice(2);
if (!path) throw new Error("usage: db-locker.ts DB_PATH [HOLD_MS]");
const db = new Database(path);
db.run("PRAGMA busy_timeout = 5000");
db.run("BEGIN EXCLUSIVE");
process.stdout.write("locked\n");
const reader = Bun.stdin.stream().getReader();
await Promise.race([reader.read(), Bun.sleep(Number(holdMs))]);
db.run("COMMIT");
db.close();
process.stdout.write("released\n");
process.exit(0);
