import { type AgiChannel, CHANNEL_UP } from "../agi/channel.ts";
import { type AgiEnv, knownValue } from "../agi/env.ts";
import { AgiCommandError, AgiError, AgiHangupError, AgiShutdownError } from "../agi/errors.ts";
import { type Menu, menuFor } from "../config/menu.ts";
import type { IvrConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { configHours, type HoursSource } from "../schedules/hours.ts";
import { closedAction, closedHours } from "./closed.ts";
import { decide, dialArguments, dialTarget, escapeDigits, expectsMore, queueArguments } from "./choice.ts";
import { classifyDial, classifyQueue, DIAL_ANSWER_VARIABLES, QUEUE_VARIABLES, type RouteOutcome, type Vars } from "./outcome.ts";
import { type SmartRouter, smartPreRoute } from "./smart-route.ts";

export type Route =
  | { kind: "queue"; queue: string }
  | { kind: "extension"; extension: string; target: string }
  | { kind: "smart"; context: string }
  /** A closed line's voicemail (closed.then). */
  | { kind: "voicemail"; mailbox: string };

/** What happened on one call, from the first command to the last. */
export interface IvrCall {
  uniqueid: string;
  /** CHANNEL(linkedid): the same for every channel of one call; read at the end. */
  linkedid: string | undefined;
  did: string;
  /** "did" when the DID has its own menu, "default" when it fell back. */
  menu: "did" | "default";
  caller: string | undefined;
  callerName: string | undefined;
  startedAt: number;
  /** When the IVR's ANSWER succeeded; undefined when the channel was up before the IVR. */
  answeredAt: number | undefined;
  endedAt: number;
  /** When the hangup was noticed, if the caller hung up before the IVR finished. */
  hungUpAt: number | undefined;
  /** What the caller entered at each attempt ("" for nothing). */
  inputs: string[];
  route?: Route;
  outcome: RouteOutcome;
}

/** The DID: the first AGI argument if given, else agi_extension, else agi_dnid. */
export function pickDid(env: AgiEnv): string {
  return env.args[0] || knownValue(env.extension) || knownValue(env.dnid) || "";
}

const ms = (seconds: number) => Math.round(seconds * 1000);

/**
 * The IVR: answer unless up, play the welcome with barge-in, collect digits, then Queue or
 * Dial; invalid input plays invalid_sound and the menu again, up to max_attempts, then
 * goodbye_sound. The outcome is read after Queue/Dial even if the caller has hung up.
 * Logs in the seed's words, to Asterisk (VERBOSE) and to stderr.
 */
export async function runIvr(
  channel: AgiChannel,
  config: IvrConfig,
  log: Logger,
  options: { clock?: () => number; smart?: SmartRouter; hours?: HoursSource } = {},
): Promise<IvrCall> {
  const clock = options.clock ?? Date.now;
  const did = pickDid(channel.env);
  const { menu, source } = menuFor(config, did);
  const call: IvrCall = {
    uniqueid: channel.env.uniqueid,
    linkedid: undefined,
    did,
    menu: source,
    caller: knownValue(channel.env.callerid),
    callerName: knownValue(channel.env.calleridname),
    startedAt: clock(),
    answeredAt: undefined,
    endedAt: 0,
    hungUpAt: undefined,
    inputs: [],
    outcome: { status: "failed" },
  };
  channel.onHangup(() => (call.hungUpAt ??= clock()));
  const say = (message: string) => {
    log.info(message);
    return channel.verbose(message);
  };

  try {
    await say(`Incoming call - DID: ${did}`);
    log.info(source === "did" ? `menu: dids.${did}` : `menu: default (no entry for DID "${did}")`);
    // Outside the DID's hours the caller gets what closed: says, neither Smart Redirect nor the menu.
    const closed = menu.schedule ? await closedHours(menu.schedule, options.hours ?? configHours(config), clock(), log) : undefined;
    // Smart Redirect goes first, before ANSWER: the manager's context rings them itself.
    const smart = !closed && menu.smart && options.smart ? await smartPreRoute(channel, menu.smart, did, call.caller, options.smart, log) : undefined;
    if (closed) {
      await say(`Closed: schedule ${menu.schedule} (${closed.reason})`);
      await answerIfDown(channel, call, clock);
      await playClosed(channel, menu, call, `closed: schedule ${menu.schedule}, ${closed.reason}`, say, log, clock);
    } else if (smart) {
      await say(`Smart Redirect: ${smart.context}`);
      call.route = { kind: "smart", context: smart.context };
      call.outcome = { status: "smart_redirect", detail: smart.reason };
    } else {
      await answerIfDown(channel, call, clock);
      await playMenu(channel, menu, call, say, log, clock);
    }
  } catch (error) {
    // Whatever the AGI threw, the call is over and its record is kept; only bugs propagate.
    if (!(error instanceof AgiError)) throw error;
    const settled = call.route !== undefined || call.outcome.status === "no_selection" || call.outcome.status === "closed";
    if (error instanceof AgiHangupError && shutDown(channel)) {
      if (!settled) call.outcome = interrupted("the menu", clock() - call.startedAt, log);
    } else if (error instanceof AgiHangupError) {
      // A hangup after routing, during goodbye or the closed message keeps the outcome already known.
      if (!settled) call.outcome = { status: "hungup_in_menu", detail: error.reason };
    } else {
      log.error(`${error.name}: ${error.message}`);
      call.outcome = { status: "failed", detail: error.message };
    }
  }
  call.linkedid = await readLinkedId(channel);
  call.endedAt = clock();
  return call;
}

async function answerIfDown(channel: AgiChannel, call: IvrCall, clock: () => number): Promise<void> {
  if ((await channel.channelStatus()) === CHANNEL_UP) return;
  await channel.answer();
  call.answeredAt = clock();
}

/**
 * A closed line: closed.sound (default goodbye_sound), then closed.then. A call that ends
 * here (hangup, voicemail) is `closed`; one sent to a queue or an extension gets that
 * route's status, its detail saying it came in while closed.
 */
async function playClosed(channel: AgiChannel, menu: Menu, call: IvrCall, why: string, say: (message: string) => Promise<boolean>, log: Logger, clock: () => number): Promise<void> {
  const action = closedAction(menu);
  call.outcome = { status: "closed", detail: why };
  await play(channel, action.sound, log);
  const { then } = action;
  const noting = (outcome: RouteOutcome): RouteOutcome => ({ ...outcome, detail: outcome.detail ? `${why}; ${outcome.detail}` : why });
  if (then.kind === "queue") {
    await say(`Routing to queue: ${then.queue}`);
    call.route = { kind: "queue", queue: then.queue };
    call.outcome = noting(await routeToQueue(channel, then.queue, menu, clock, log));
  } else if (then.kind === "extension") {
    await say(`Dialing extension: ${then.extension}`);
    call.route = { kind: "extension", extension: then.extension, target: dialTarget(then.extension, menu) };
    call.outcome = noting(await dialExtension(channel, call.route.target, menu, clock, call.answeredAt, log));
  } else if (then.kind === "voicemail") {
    await say(`Voicemail: ${then.mailbox}`);
    call.route = { kind: "voicemail", mailbox: then.mailbox };
    const failed = await execOrFailure(channel, "VoiceMail", action.voicemailArguments, clock, log);
    // VoiceMail leaves VMSTATUS: SUCCESS, USEREXIT or FAILED.
    const status = failed ? undefined : (await readVariables(channel, ["VMSTATUS"])).VMSTATUS;
    call.outcome = failed ? noting(failed) : { status: "closed", detail: `${why}; VMSTATUS=${status ?? "unset"}` };
  } else {
    await channel.hangup();
  }
}

/** The attempts: returns once the call is routed (and its outcome read) or given up. */
async function playMenu(
  channel: AgiChannel,
  menu: Menu,
  call: IvrCall,
  say: (message: string) => Promise<boolean>,
  log: Logger,
  clock: () => number,
): Promise<void> {
  for (let attempt = 1; attempt <= menu.max_attempts; attempt++) {
    const digits = await collectDigits(channel, menu, log);
    call.inputs.push(digits);
    const choice = decide(digits, menu);
    if (choice.kind === "queue") {
      await say(`Routing to queue: ${choice.queue}`);
      call.route = { kind: "queue", queue: choice.queue };
      call.outcome = await routeToQueue(channel, choice.queue, menu, clock, log);
      return;
    }
    if (choice.kind === "extension") {
      await say(`Dialing extension: ${choice.extension}`);
      call.route = { kind: "extension", extension: choice.extension, target: dialTarget(choice.extension, menu) };
      call.outcome = await dialExtension(channel, call.route.target, menu, clock, call.answeredAt, log);
      return;
    }
    if (choice.kind === "none") {
      await say(`No input (attempt ${attempt} of ${menu.max_attempts})`);
    } else {
      await say(`Invalid input: ${choice.digits} (attempt ${attempt} of ${menu.max_attempts})`);
      await play(channel, menu.invalid_sound, log);
    }
  }
  call.outcome = { status: "no_selection" };
  await say("No valid choice - goodbye");
  await play(channel, menu.goodbye_sound, log);
}

/** Works on a dead channel too; a lost connection just leaves it unknown. */
async function readLinkedId(channel: AgiChannel): Promise<string | undefined> {
  try {
    return (await channel.getVariable("CHANNEL(linkedid)")) || undefined;
  } catch (error) {
    if (error instanceof AgiError) return undefined;
    throw error;
  }
}

/** Plays the welcome (barge-in on the digits that mean something) and collects the caller's digits. */
async function collectDigits(channel: AgiChannel, menu: Menu, log: Logger): Promise<string> {
  const playback = await channel.streamFile(menu.welcome_sound, escapeDigits(menu));
  if (!playback.played && playback.endpos === 0) warnUnplayable(menu.welcome_sound, log);
  const first = playback.digit ?? (await channel.waitForDigit(ms(menu.input_timeout_seconds)));
  if (first === null || first === "#") return "";
  let digits = first;
  while (expectsMore(digits, menu)) {
    const next = await channel.waitForDigit(ms(menu.extension_timeout_seconds));
    if (next === null || next === "#") break;
    digits += next;
  }
  return digits;
}

async function play(channel: AgiChannel, sound: string, log: Logger): Promise<void> {
  const playback = await channel.streamFile(sound);
  if (!playback.played && playback.endpos === 0) warnUnplayable(sound, log);
}

function warnUnplayable(sound: string, log: Logger): void {
  log.warn(`could not play "${sound}": is the sound file installed (without its extension in the config)?`);
}

async function routeToQueue(channel: AgiChannel, queue: string, menu: Menu, clock: () => number, log: Logger): Promise<RouteOutcome> {
  const started = clock();
  const failed = await execOrFailure(channel, "Queue", queueArguments(queue, menu), clock, log);
  if (failed) return failed;
  const vars = await readVariables(channel, QUEUE_VARIABLES);
  return classifyQueue(vars, (clock() - started) / 1000, channel.hungUp);
}

/**
 * Dial, timed: the channel's up time when EXEC Dial is sent (from the IVR's own ANSWER) is
 * what classifyDial subtracts from ANSWEREDTIME_MS. The answer's details are read only for
 * an answered Dial, ANSWEREDTIME only when ANSWEREDTIME_MS is missing.
 */
async function dialExtension(channel: AgiChannel, target: string, menu: Menu, clock: () => number, answeredAt: number | undefined, log: Logger): Promise<RouteOutcome> {
  const sentAt = clock();
  const failed = await execOrFailure(channel, "Dial", dialArguments(target, menu), clock, log);
  if (failed) return failed;
  const timing = { upAtDialMs: answeredAt === undefined ? undefined : sentAt - answeredAt, spanMs: clock() - sentAt };
  let vars = await readVariables(channel, ["DIALSTATUS"]);
  if (vars.DIALSTATUS === "ANSWER") {
    vars = { ...vars, ...(await readVariables(channel, DIAL_ANSWER_VARIABLES)) };
    if (!/^\d+$/.test(vars.ANSWEREDTIME_MS ?? "")) vars = { ...vars, ...(await readVariables(channel, ["ANSWEREDTIME"])) };
  }
  return classifyDial(vars, timing);
}

/**
 * Runs Queue or Dial. A missing application or a connection lost mid-call is an outcome to
 * record, not a reason to lose the call record; so is ivr serve shutting down meanwhile.
 */
async function execOrFailure(channel: AgiChannel, app: string, args: string[], clock: () => number, log: Logger): Promise<RouteOutcome | undefined> {
  const started = clock();
  try {
    await channel.exec(app, ...args);
    return undefined;
  } catch (error) {
    if (error instanceof AgiCommandError) return { status: "failed", detail: error.message };
    if (error instanceof AgiHangupError && shutDown(channel)) return interrupted(`${app} ${args[0]}`, clock() - started, log);
    if (error instanceof AgiHangupError) return { status: "failed", detail: `AGI connection lost during ${app}` };
    throw error;
  }
}

/** ivr serve closed this session at its shutdown (not a lost connection, not a hangup). */
function shutDown(channel: AgiChannel): boolean {
  return channel.signal.aborted && channel.signal.reason instanceof AgiShutdownError;
}

/**
 * The session was closed at ivr serve's shutdown: Asterisk goes on with the channel (in the
 * queue, on the Dial, or at the dialplan's next step), so the call is not over, and how it
 * ends is not known here.
 */
function interrupted(where: string, elapsedMs: number, log: Logger): RouteOutcome {
  const detail = `ivr serve shut down ${Math.round(elapsedMs / 1000)} s into ${where}; the call went on in the dialplan`;
  log.warn(`call interrupted: ${detail} (recorded as interrupted, its outcome unknown)`);
  return { status: "interrupted", detail };
}

/** Reads the outcome variables one by one, as the recordings show they work after hangup. */
export async function readVariables(channel: AgiChannel, names: readonly string[]): Promise<Vars> {
  const vars: Record<string, string | undefined> = {};
  try {
    for (const name of names) vars[name] = await channel.getVariable(name);
  } catch (error) {
    if (!(error instanceof AgiHangupError)) throw error;
    // The connection went away: classify with what was read.
  }
  return vars;
}
