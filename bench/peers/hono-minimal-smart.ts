// Copied from ../shared/bench/peers/hono-minimal-smart.ts. Changes: the port from $PORT, the
// callers are the benchmark's 200,000 customers (as in getcustomerdata.lua), typed for tsc.
// getcustomerdata on Hono + bun:sqlite with 1,000,000 calls, the last answered extension per
// phone: the ceiling for the Smart API. PROBE_DB=/tmp/x.sqlite PORT=18021 bun hono-minimal-smart.ts
import { Database } from "bun:sqlite";
import { Hono } from "hono";

const db = new Database(process.env.PROBE_DB!);
db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
db.exec("create table if not exists calls(id integer primary key, phone text, ext text, started integer)");
db.exec("create index if not exists calls_phone on calls(phone, started)");
const n = db.query("select count(*) c from calls").get() as { c: number };
if (n.c < 1000000) {
  const ins = db.prepare("insert into calls(phone,ext,started) values (?,?,?)");
  const t0 = performance.now();
  db.transaction(() => { for (let i = 0; i < 1000000; i++) ins.run(`+375290${String(i % 200000).padStart(6, "0")}`, String(100 + (i % 50)), i); })();
  console.error("insert 1M", (performance.now() - t0).toFixed(0), "ms");
}
const last = db.prepare("select ext from calls where phone=? order by started desc limit 1");
const app = new Hono();
app.post("/api/callevent/getcustomerdata", async (c) => {
  const b = (await c.req.json()) as { Phone: string; TrunkId: string };
  const r = last.get(b.Phone) as { ext: string } | null;
  return c.json({ Name: null, DialPlan: r ? `mngr${r.ext}_${b.TrunkId}_1` : null });
});
export default { port: Number(process.env.PORT ?? 18021), hostname: "127.0.0.1", fetch: app.fetch };
