/**
 * A process that writes call rows as fast as it can with the real history code, reporting
 * on stdout every 50 committed rows ("committed N"), until it is killed.
 * Usage: bun test/helpers/history-writer.ts DB_PATH TAG
 */
import { openHistory } from "../../src/history/db.ts";
import { insertCall } from "../../src/history/record.ts";

const [path, tag = "w"] = process.argv.slice(2);
if (!path) throw new Error("usage: history-writer.ts DB_PATH TAG");
const history = openHistory(path);
for (let n = 1; ; n++) {
  insertCall(history, {
    uniqueid: `${tag}.${n}`,
    source: "ivr",
    direction: "inbound",
    startedAt: Date.now(),
    status: "answered",
    externalNumber: "+375291234567",
    detail: "x".repeat(200), // rows big enough to span pages
  });
  if (n % 50 === 0) process.stdout.write(`committed ${n}\n`);
}
