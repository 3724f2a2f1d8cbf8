// Copied from ../shared/bench/agi-load.ts (the load generator the figures were taken with).
// Changes: typed for tsc (strict), and the uniqueid carries the process id so that the
// sessions of consecutive runs stay distinct in the product's history.
//
// FastAGI load generator: C concurrent fake-Asterisk connections, each running back-to-back sessions
// (env -> answer commands like Asterisk, caller presses 1 during the welcome) until D seconds pass.
// Prints sessions/s, per-command latency p50/p99 (our reply -> their next command), and errors.
const [host = "127.0.0.1", portS, concS, durS, script = "ivr"] = process.argv.slice(2);
const port = Number(portS), conc = Number(concS), dur = Number(durS) * 1000;
const env = (id: number) => [
  "agi_network: yes", `agi_network_script: ${script}`, `agi_request: agi://${host}:${port}/${script}`,
  `agi_channel: Local/0212345678@from-external-${id};2`, "agi_language: en", "agi_type: Local",
  `agi_uniqueid: ${1795264091 + process.pid}.${id}`, "agi_version: 22.11.0-rc1", "agi_callerid: +66812345678",
  "agi_calleridname: Test Caller", "agi_callingpres: 0", "agi_callingani2: 0", "agi_callington: 0",
  "agi_callingtns: 0", "agi_dnid: unknown", "agi_rdnis: unknown", "agi_context: from-external",
  "agi_extension: 0212345678", "agi_priority: 2", "agi_enhanced: 0.0", "agi_accountcode: ",
  "agi_threadid: 1", "", ""].join("\n");
function reply(cmd: string, st: { pressed: boolean }): string {
  const u = cmd.toUpperCase();
  if (u.startsWith("STREAM FILE") || u.startsWith("GET OPTION")) {
    if (!st.pressed) { st.pressed = true; return "200 result=49 endpos=4000"; }
    return "200 result=0 endpos=16000";
  }
  if (u.startsWith("WAIT FOR DIGIT")) return "200 result=0";
  if (u.startsWith("GET DATA")) return "200 result=1";
  if (u.startsWith("EXEC")) return "200 result=-1";
  if (u.startsWith("GET VARIABLE")) {
    if (u.includes("DIALSTATUS")) return "200 result=0";
    if (u.includes("MEMBERINTERFACE")) return "200 result=1 (Local/100@agents/n)";
    if (u.includes("ANSWEREDTIME")) return "200 result=1 (2)";
    return "200 result=0";
  }
  if (u.startsWith("VERBOSE") || u.startsWith("SET VARIABLE")) return "200 result=1";
  return "200 result=0";
}
const lat: number[] = [];
let sessions = 0, errors = 0, commands = 0, seq = 0;
const end = performance.now() + dur;
async function worker() {
  while (performance.now() < end) {
    await new Promise<void>((resolve) => {
      const st = { pressed: false };
      let buf = "", sentAt = 0, done = false;
      const finish = (ok: boolean) => { if (done) return; done = true; ok ? sessions++ : errors++; resolve(); };
      Bun.connect({
        hostname: host, port,
        socket: {
          open(s) { s.write(env(++seq)); sentAt = performance.now(); },
          data(s, d) {
            buf += d.toString();
            let i;
            while ((i = buf.indexOf("\n")) >= 0) {
              const line = buf.slice(0, i); buf = buf.slice(i + 1);
              if (!line) continue;
              const now = performance.now(); lat.push(now - sentAt); commands++;
              s.write(reply(line, st) + "\n"); sentAt = performance.now();
            }
          },
          close() { finish(true); },
          error() { finish(false); },
          connectError() { finish(false); },
        },
      }).catch(() => finish(false));
    });
  }
}
const t0 = performance.now();
await Promise.all(Array.from({ length: conc }, worker));
const secs = (performance.now() - t0) / 1000;
lat.sort((a, b) => a - b);
const q = (p: number) => lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!.toFixed(3) : "n/a";
console.log(JSON.stringify({ conc, secs: +secs.toFixed(2), sessions, sessions_per_s: +(sessions / secs).toFixed(0), commands, cmd_p50_ms: q(0.5), cmd_p99_ms: q(0.99), errors }));

export {};
