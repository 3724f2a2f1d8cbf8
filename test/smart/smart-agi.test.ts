import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type FastAgiServer, startFastAgiServer } from "../../src/agi/fastagi-server.ts";
import { loadConfigFile } from "../../src/config/load.ts";
import type { IvrConfig } from "../../src/config/schema.ts";
import { insertCall } from "../../src/history/record.ts";
import { smartDecisions } from "../../src/history/schema.ts";
import { smartScript } from "../../src/smart/agi-script.ts";
import type { SmartSources } from "../../src/smart/decide.ts";
import { DecisionLog } from "../../src/smart/decision-log.ts";
import { historySources } from "../../src/smart/history-sources.ts";
import { SmartService } from "../../src/smart/service.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { connectFastAgi } from "../helpers/fastagi-client.ts";
import { callRow, tempHistory } from "../helpers/history.ts";
import { ENV, SMART_CONFIG } from "../helpers/http-app.ts";
import { replayIvr } from "../helpers/ivr-replay.ts";
import { loadTranscript } from "../helpers/transcript.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures", "smart-agi");
const transcript = (name: string) => loadTranscript(join(FIXTURES, name));

/** The fixture config, the history knowing two returning callers, and the service over both. */
function setup(options: { slow?: boolean } = {}) {
  const config: IvrConfig = loadConfigFile(SMART_CONFIG).config;
  if (options.slow) config.smart!.enterprises!["0367"]!.sla_ms = 50;
  const history = tempHistory();
  for (const phone of ["+66812345678", "+375291234567"]) {
    insertCall(history, callRow({ externalNumber: phone, status: "answered", answeredExtension: "150", callerName: "Alexei Client" }));
  }
  const { log, text } = captureLog();
  const real = historySources(history);
  const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 500));
  const sources: SmartSources = options.slow
    ? { answeredExtension: (p, w) => later(real.answeredExtension(p, w) as string | undefined), callerName: (p) => later(real.callerName(p) as string | undefined) }
    : real;
  const service = new SmartService({
    snapshot: () => ({ config, generation: 1 }),
    sources,
    decisionLog: new DecisionLog((row) => history.db.insert(smartDecisions).values(row).run(), () => undefined, log),
    log,
    env: ENV,
  });
  return { config, history, service, log: text };
}

let server: FastAgiServer | undefined;
afterEach(async () => {
  await server?.stop(0);
  server = undefined;
});

describe("agi://host/smart: the hook that replaces Macro(getcustomerdata)", () => {
  const play = async (name: string, options: { slow?: boolean } = {}) => {
    const t = setup(options);
    server = startFastAgiServer({ hostname: "127.0.0.1", port: 0, route: (script) => (script === "smart" ? smartScript(t.service) : undefined), log: captureLog().log });
    await playAsterisk(transcript(name), await connectFastAgi(server.port));
    return t;
  };

  test("a known caller: CALLERID(name) and NEXT = the manager's context; the decision is recorded", async () => {
    const t = await play("fastagi-smart-known.txt");
    expect(t.history.db.select().from(smartDecisions).all()).toMatchObject([{ via: "agi", enterprise: "0367", outcome: "routed", dialPlan: "mngr31_0001363_1", trunk: "0001363" }]);
  });

  test("an unknown caller: NEXT set empty, no name", async () => {
    await play("fastagi-smart-unknown.txt");
  });

  test("no decision within sla_ms: NEXT empty, no name", async () => {
    const t = await play("fastagi-smart-timeout.txt", { slow: true });
    expect(t.history.db.select().from(smartDecisions).all()).toMatchObject([{ outcome: "timeout", dialPlan: null }]);
  });
});

describe("the IVR's smart: option, before the menu", () => {
  const router = (t: ReturnType<typeof setup>) => (enterprise: string, request: { phone: string; line: string }, uniqueid: string) => t.service.decideFor(enterprise, request, uniqueid);

  test("a known caller: name, SET CONTEXT / EXTENSION / PRIORITY, no ANSWER, no menu", async () => {
    const t = setup();
    const { call } = await replayIvr(transcript("stdin-smart-known.txt"), t.config, undefined, router(t));
    expect(call).toMatchObject({ route: { kind: "smart", context: "mngr31_0298765432_1" }, outcome: { status: "smart_redirect" }, inputs: [] });
  });

  test("an unknown caller: the normal menu", async () => {
    const t = setup();
    const { call } = await replayIvr(transcript("stdin-smart-unknown.txt"), t.config, undefined, router(t));
    expect(call).toMatchObject({ route: { kind: "queue", queue: "10002" }, outcome: { status: "answered" } });
  });

  test("no decision within sla_ms: the normal menu", async () => {
    const t = setup({ slow: true });
    const { call } = await replayIvr(transcript("stdin-smart-timeout.txt"), t.config, undefined, router(t));
    expect(call).toMatchObject({ route: { kind: "queue", queue: "10002" } });
    expect(t.history.db.select().from(smartDecisions).all()).toMatchObject([{ via: "agi", outcome: "timeout" }]);
  });
});
