import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { startFastAgiServer } from "../../src/agi/fastagi-server.ts";
import { parseConfig } from "../../src/config/load.ts";
import type { IvrConfig } from "../../src/config/schema.ts";
import { type History, openHistory } from "../../src/history/db.ts";
import type { Integrations } from "../../src/integrations/service.ts";
import type { NewCallRow } from "../../src/history/schema.ts";
import type { BusinessHours } from "../../src/originate/hours.ts";
import { type OutboundService, startOutbound } from "../../src/originate/service.ts";
import type { NewDial } from "../../src/originate/store.ts";
import type { Dial } from "../../src/originate/types.ts";
import { startCallTracking } from "../../src/tracking/service.ts";
import { captureLog } from "./capture-log.ts";
import { FakeAmi } from "./fake-ami.ts";
import type { OriginatePlan } from "./fake-originate.ts";
import { tempHistory } from "./history.ts";
import { FAST } from "./tracking-service.ts";
import { waitFor } from "./wait.ts";

export const CRM_TOKEN = "crm-originate-token-0123456789";

/**
 * A config with outbound calls, its ami: section pointing at the fake Asterisk. Trunks and
 * the trunk a PJSIP endpoint (`PJSIP/{number}@mtt`, channels `PJSIP/mtt-...`), phones Local channels.
 */
export function outboundYaml(port: number, extra = "", options: { callbackSchedule?: string } = {}): string {
  return `country: BY
ami:
  host: 127.0.0.1
  port: ${port}
  username: ivr
  secret: \${AMI_TEST_SECRET}
  trunk_pattern: ^PJSIP/mtt-
outbound:
  trunks:
    main:
      dial: PJSIP/{number}@mtt
      caller_id: "+375171234567"
      max_concurrent: "2"
      calls_per_second: "100"
  extension_dial: Local/{ext}@phones
  numbers:
    countries: [GB]
  clients:
    crm:
      token: ${CRM_TOKEN}
      kinds: [click-to-call, callback]
  callbacks:
    queues: ["10001"]${options.callbackSchedule ? `\n    schedule: ${options.callbackSchedule}` : ""}
  campaigns:
    donations:
      sound: campaigns/donate
      actions:
        "1": {event: donation_requested, sound: campaigns/thanks}
        "9": {opt_out: "true"}
        "0": {transfer: queue 10001}
      invalid_sound: ivr/invalid
      concurrency: "2"
      calls_per_second: "100"
      retry:
        busy: {attempts: "2", interval_seconds: "1"}
${extra}`;
}

export const BY_MOBILE = (n: number) => `+37529${String(1_000_000 + n).slice(-7)}`;

/**
 * The product's call tracking and outbound calls against a fake Asterisk over real TCP and
 * a real SQLite file, as ivr serve runs them.
 */
export function outboundAgainstFake(
  options: {
    originate?: (action: import("../../src/ami/message.ts").AmiMessage) => OriginatePlan;
    yaml?: (port: number) => string;
    hours?: BusinessHours;
    dbPath?: string;
    fake?: FakeAmi;
    clock?: () => number;
    /** The integrations' outbox, wired as ivr serve wires it (the tracker's and the outbound events). */
    integrations?: (history: History, config: () => IvrConfig) => Integrations;
  } = {},
) {
  // A fake given is already running (a restart against the same Asterisk).
  const fake = options.fake ?? new FakeAmi({ originate: options.originate }).start();
  const history = options.dbPath ? openHistory(options.dbPath) : tempHistory();
  const { log, text } = captureLog();
  let config: IvrConfig = parseConfig((options.yaml ?? outboundYaml)(fake.port), "test.yaml");
  const records: NewCallRow[] = [];
  const env = { AMI_TEST_SECRET: fake.secret };
  const integrations = options.integrations?.(history, () => config);
  const tracking = startCallTracking({ settings: config.ami!, config: () => config, history, log, env, timing: FAST, outbox: integrations?.tracking });
  const outbound: OutboundService = startOutbound({ config: () => config, tracking, history, log, record: (row) => records.push(row), hours: options.hours, env, clock: options.clock, outbox: integrations?.outbound });
  // Asterisk reaches the outbound script over FastAGI, as the generated context does.
  const fastagi = startFastAgiServer({ hostname: "127.0.0.1", port: 0, route: (script) => (script === "outbound" ? outbound.script : undefined), log });
  return {
    fastagi,
    fake,
    history,
    tracking,
    outbound,
    integrations,
    records,
    log: text,
    reload: (yaml: string) => void (config = parseConfig(yaml, "test.yaml")),
    ready: () => waitFor(() => outbound.dialer.readiness().ready, "the dialer to be ready"),
    /** Queues a dial as the API would (number already valid). */
    enqueue: (dial: Partial<NewDial> & Pick<NewDial, "kind" | "number">): Dial =>
      outbound.dialer.enqueue({ id: `o${Math.random().toString(36).slice(2, 12)}`, campaign: null, client: "admin", enterprise: null, numberRaw: null, extension: null, queue: null, menu: null, trunk: "main", schedule: null, data: null, notBefore: Date.now(), ...dial }),
    /** Waits until the dial is done, and returns it. */
    done: async (id: string, timeoutMs = 10_000): Promise<Dial> => {
      await waitFor(() => outbound.store.get(id)?.state === "done", `dial ${id} to be done`, timeoutMs);
      return outbound.store.get(id)!;
    },
    /** Everything but the fake Asterisk stops, as when ivr serve is gone; the database stays on disk. */
    crash: async () => {
      await fastagi.stop(0);
      outbound.stop();
      await tracking.stop();
      await integrations?.stop(0);
      history.close();
    },
    stop: async () => {
      await fastagi.stop(0);
      outbound.stop();
      await tracking.stop();
      await integrations?.stop(0);
      fake.stop();
      history.close();
      rmSync(dirname(history.path), { recursive: true, force: true });
    },
  };
}
