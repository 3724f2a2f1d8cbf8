// Copied from ../shared/bench/peers/dingdong-ivr.js; renamed .cjs because the project's
// package.json says "type": "module". ding-dong is installed by the benchmark into
// .bench/peers/ and found through NODE_PATH (it is not a dependency of the project).
// Peer for the FastAGI benchmark: the seed IVR's path written on ding-dong (npm), what a Node user would pick.
const AGIServer = require("ding-dong");
const port = Number(process.argv[2] || 4600);
const handler = async (ctx) => {
  try {
    await ctx.onEvent("variables");
    await ctx.answer();
    const r = await ctx.streamFile("custom/welcome-hq", "0123456789*#");
    let digits = "";
    if (r.result && r.result !== "0" && r.result !== "-1") {
      digits = String.fromCharCode(Number(r.result));
      for (;;) {
        const w = await ctx.waitForDigit(3000);
        if (!w.result || w.result === "0" || w.result === "-1") break;
        digits += String.fromCharCode(Number(w.result));
        if (digits.length >= 4) break;
      }
    }
    if (digits.length === 1) await ctx.exec("Queue", "1000" + digits);
    else if (digits.length >= 3) await ctx.exec("Dial", "PJSIP/" + digits + ",60,t");
    await ctx.getVariable("DIALSTATUS");
    await ctx.getVariable("MEMBERINTERFACE");
    await ctx.getVariable("ANSWEREDTIME");
  } catch (e) {}
  ctx.end();
};
new AGIServer(handler).start(port, "127.0.0.1");
