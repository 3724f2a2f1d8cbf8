/**
 * The server side of the FastAGI benchmark: the real server with a 10-command script.
 * Runs as its own process so that the load generator does not share its event loop.
 * Prints "PORT <n>" once listening.
 */
import { startFastAgiServer } from "../src/agi/fastagi-server.ts";
import type { AgiHandler } from "../src/agi/handler.ts";
import { createLogger } from "../src/log.ts";

const tenCommands: AgiHandler = async (channel) => {
  await channel.answer();
  await channel.verbose("bench call");
  await channel.getVariable("CALLERID(num)");
  await channel.getVariable("DIALSTATUS");
  await channel.streamFile("welcome", "0123456789*#");
  await channel.waitForDigit(3000);
  await channel.exec("Queue", "10001");
  await channel.setVariable("IVR_RESULT", "queue 10001");
  await channel.getVariable("ANSWEREDTIME");
  await channel.verbose("bench call done");
};

const server = startFastAgiServer({
  hostname: "127.0.0.1",
  port: 0,
  route: (script) => (script === "bench" ? tenCommands : undefined),
  limits: { maxSessions: 2000 },
  log: createLogger({ level: "warn" }),
});
console.log(`PORT ${server.port}`);
process.on("SIGTERM", () => void server.stop(1000).then(() => process.exit(0)));
