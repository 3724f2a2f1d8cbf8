import { allowedOnDeadChannel, type AgiTransport } from "./session.ts";
import type { SimulatedResult } from "./simulated-results.ts";

export { SIMULATED_RESULTS, type SimulatedResult } from "./simulated-results.ts";

export interface Simulation {
  did: string;
  caller: string;
  /** What the caller does, in order: DTMF keys, `,` = let a timeout pass, `h` = hang up. */
  press: string;
  result: SimulatedResult;
}

export const PRESS_SYNTAX = /^[0-9*#,h]*$/;

/** A stdin-mode environment as Asterisk 22 writes it (see the recordings), for the simulated call. */
export function simulatedEnv(sim: Simulation, uniqueid: string): string {
  const lines = [
    "agi_request: /var/lib/asterisk/agi-bin/ivr",
    "agi_channel: PJSIP/simulated-00000001",
    "agi_language: en",
    "agi_type: PJSIP",
    `agi_uniqueid: ${uniqueid}`,
    "agi_version: 22.11.0-rc1",
    `agi_callerid: ${sim.caller || "unknown"}`,
    "agi_calleridname: Simulated Caller",
    "agi_callingpres: 0",
    "agi_callingani2: 0",
    "agi_callington: 0",
    "agi_callingtns: 0",
    `agi_dnid: ${sim.did}`,
    "agi_rdnis: unknown",
    "agi_context: from-external",
    `agi_extension: ${sim.did}`,
    "agi_priority: 2",
    "agi_enhanced: 0.0",
    "agi_accountcode: ",
    "agi_threadid: 140000000000001",
  ];
  return `${lines.join("\n")}\n\n`;
}

const DEAD = "511 Command Not Permitted on a dead channel or intercept routine";
const PROMPT_SAMPLES = 40_000; // a 5 s prompt at 8 kHz
const INTERRUPTED_AT = 13_760;
const SAMPLES_PER_MS = 8;
/** How long the simulated caller and callee take (ms). */
const TAKES = { keyPress: 800, queueWait: 12_000, ring: 8_000, talk: 42_000, busy: 2_000, cancel: 5_000, queueTimeout: 30_000 };

/**
 * Plays Asterisk's side of a call for `ivr simulate`, with the replies the recordings show:
 * escape digits interrupt STREAM FILE with their ASCII code, WAIT FOR DIGIT times out with 0,
 * EXEC Dial returns -1 after an answered call, Queue and Dial leave their variables, a
 * hangup is an out-of-band HANGUP followed by 511 for audio commands. Time is simulated
 * (`clock`, for the IVR too): prompts, key presses, ringing and talking move it on, so Dial's
 * ANSWEREDTIME is, as in Asterisk 22, the channel's up time, the time in the IVR included.
 */
export class SimulatedAsterisk implements AgiTransport {
  /** The conversation, `> command` and `< reply` lines, and `# ` notes on the caller's keys. */
  readonly conversation: string[] = [];
  /** Notes for the conversation, e.g. a key pressed during a prompt that did not listen for it (Asterisk drops it). */
  private notes: string[] = [];
  private readonly presses: string[];
  private readonly vars = new Map<string, string>();
  private up = false;
  private hungUp = false;
  private now = Date.now();
  private readonly createdAt = this.now;
  private answeredAt: number | undefined;

  constructor(
    private readonly sim: Simulation,
    private readonly deliver: (text: string) => void,
  ) {
    this.presses = [...sim.press];
  }

  write(data: string): boolean {
    for (const command of data.split("\n").filter(Boolean)) {
      this.conversation.push(`> ${command}`);
      const reply = this.reply(command);
      this.conversation.push(...reply.map((line) => `< ${line}`), ...this.notes.splice(0));
      queueMicrotask(() => this.deliver(reply.map((line) => `${line}\n`).join("")));
    }
    return true;
  }

  close(): void {}

  /** Keys of --press the call ended before using (`,` pauses not counted). */
  get unusedKeys(): string {
    return this.presses.filter((key) => key !== ",").join("");
  }

  /** The simulated time, to give the IVR as its clock. */
  readonly clock = (): number => this.now;

  private reply(command: string): string[] {
    if (this.hungUp && !allowedOnDeadChannel(command)) return [DEAD];
    let m: RegExpExecArray | null;
    if (command === "CHANNEL STATUS") return [`200 result=${this.up ? 6 : 4}`];
    if (command === "ANSWER") {
      this.up = true;
      this.answeredAt = this.now;
      return ["200 result=0"];
    }
    if ((m = /^STREAM FILE \S+ "([^"]*)"/.exec(command))) return this.playback(m[1]!);
    if ((m = /^WAIT FOR DIGIT (-?\d+)/.exec(command))) return this.waitForDigit(Number(m[1]));
    if ((m = /^EXEC (\S+)(?: (\S+))?$/.exec(command))) return this.exec(m[1]!, (m[2] ?? "").split(","));
    if ((m = /^GET VARIABLE (\S+)$/.exec(command))) {
      const value = this.vars.get(m[1]!);
      return [value === undefined ? "200 result=0" : `200 result=1 (${value})`];
    }
    if ((m = /^SET VARIABLE (\S+) "(.*)"$/.exec(command))) {
      this.vars.set(m[1]!, m[2]!.replace(/\\(.)/g, "$1"));
      return ["200 result=1"];
    }
    if (command.startsWith("VERBOSE")) return ["200 result=1"];
    if (command === "HANGUP") return this.hangup(["200 result=1"]);
    if (/^(NOOP|SET (CONTEXT|EXTENSION|PRIORITY))\b/.test(command)) return ["200 result=0"];
    return ["510 Invalid or unknown command"];
  }

  /**
   * A prompt that listens for keys: an escape digit interrupts it, any other key is lost.
   * During a prompt that listens for none (invalid, goodbye) the caller waits for the end.
   */
  private playback(escapeDigits: string): string[] {
    while (escapeDigits !== "" && this.presses.length > 0 && this.presses[0] !== ",") {
      const key = this.presses.shift()!;
      if (key !== "h" && !escapeDigits.includes(key)) {
        this.notes.push(`# key ${key} lost: this prompt listens only for ${escapeDigits}`);
        continue;
      }
      this.now += INTERRUPTED_AT / SAMPLES_PER_MS;
      if (key === "h") return this.hangup([`200 result=-1 endpos=${INTERRUPTED_AT}`]);
      return [`200 result=${key.charCodeAt(0)} endpos=${INTERRUPTED_AT}`];
    }
    this.now += PROMPT_SAMPLES / SAMPLES_PER_MS;
    return [`200 result=0 endpos=${PROMPT_SAMPLES}`];
  }

  private waitForDigit(timeoutMs: number): string[] {
    const key = this.presses.shift();
    if (key === undefined || key === ",") {
      this.now += Math.max(0, timeoutMs);
      return ["200 result=0"];
    }
    this.now += TAKES.keyPress;
    if (key === "h") return this.hangup(["200 result=-1"]);
    return [`200 result=${key.charCodeAt(0)}`];
  }

  private exec(app: string, args: string[]): string[] {
    const result = this.sim.result;
    if (app === "Queue") {
      // app_queue's ANSWEREDTIME is the member's talk time (unlike Dial's).
      const outcome: Record<SimulatedResult, Record<string, string>> = {
        answer: { ANSWEREDTIME: String(TAKES.talk / 1000) },
        busy: { QUEUESTATUS: "FULL" },
        noanswer: { QUEUESTATUS: "TIMEOUT" },
        unavailable: { QUEUESTATUS: "JOINEMPTY" },
        abandon: { ABANDONED: "TRUE", ANSWEREDTIME: "0", QUEUEWAIT: String(TAKES.queueWait / 1000) },
      };
      this.now += { answer: TAKES.queueWait + TAKES.talk, busy: 0, noanswer: TAKES.queueTimeout, unavailable: 0, abandon: TAKES.queueWait }[result];
      for (const [key, value] of Object.entries(outcome[result])) this.vars.set(key, value);
      return result === "abandon" ? this.hangup(["200 result=-1"]) : ["200 result=-1"];
    }
    if (app === "Dial") {
      const target = args[0] ?? "";
      const status = { answer: "ANSWER", busy: "BUSY", noanswer: "NOANSWER", unavailable: "CHANUNAVAIL", abandon: "CANCEL" }[result];
      const timeoutMs = Number(args[1] || 60) * 1000;
      this.now += { answer: TAKES.ring + TAKES.talk, busy: TAKES.busy, noanswer: timeoutMs, unavailable: 0, abandon: TAKES.cancel }[result];
      this.vars.set("DIALSTATUS", status);
      this.vars.set("DIALEDPEERNUMBER", result === "answer" ? target.slice(target.indexOf("/") + 1) : "");
      // app_dial clears these when Dial starts and sets them after a bridge from the calling
      // channel: ANSWEREDTIME is its up time (since the IVR's ANSWER), DIALEDTIME its age.
      for (const name of ["ANSWEREDTIME", "DIALEDTIME"]) {
        this.vars.set(name, "");
        this.vars.set(`${name}_MS`, "");
      }
      if (result === "answer") this.setDuration("ANSWEREDTIME", this.now - (this.answeredAt ?? this.now));
      if (result === "answer") this.setDuration("DIALEDTIME", this.now - this.createdAt);
      if (result === "abandon") return this.hangup(["200 result=-1"]);
      return [result === "answer" ? "200 result=-1" : "200 result=0"];
    }
    return ["200 result=0"];
  }

  /** As app_dial's set_duration_var: whole seconds (cut down) and the _MS variable. */
  private setDuration(name: string, ms: number): void {
    this.vars.set(name, String(Math.floor(ms / 1000)));
    this.vars.set(`${name}_MS`, String(Math.round(ms)));
  }

  /** FastAGI's out-of-band HANGUP, then the reply to the command that noticed it. */
  private hangup(reply: string[]): string[] {
    if (this.hungUp) return reply;
    this.hungUp = true;
    return ["HANGUP", ...reply];
  }
}
