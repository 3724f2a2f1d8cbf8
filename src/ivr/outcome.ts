/**
 * How a routed call ended, read from the variables Queue and Dial leave on the channel.
 * They can be read even after the caller hung up (GET VARIABLE works on a dead channel).
 */
export const CALL_STATUSES = [
  "answered",
  "busy",
  "no_answer",
  "unavailable",
  "abandoned",
  "failed",
  "hungup_in_menu",
  "no_selection",
  /** Sent to a manager's context by Smart Redirect before the menu; the dialplan dials them. */
  "smart_redirect",
  /**
   * ivr serve shut down while the call was in the menu, a Queue or a Dial: the channel goes
   * on in the dialplan (the caller stays in the queue), so how it ended is not known.
   */
  "interrupted",
  /** Came in while the DID's schedule was closed, and ended there: the closed message, then a hangup or voicemail. */
  "closed",
] as const;

export type CallStatus = (typeof CALL_STATUSES)[number];

export interface RouteOutcome {
  status: CallStatus;
  /** Who answered: DIALEDPEERNUMBER for Dial, MEMBERINTERFACE for Queue (needs setinterfacevar=yes). */
  answeredBy?: string;
  /** Queue: ANSWEREDTIME. Dial: the Dial's span (see classifyDial). */
  talkSeconds?: number;
  /** Time before an answer or before giving up: queue wait; for Dial only when unanswered. */
  waitSeconds?: number;
  /** The raw status Asterisk gave (DIALSTATUS or QUEUESTATUS), for the log. */
  detail?: string;
}

export type Vars = Readonly<Record<string, string | undefined>>;

export const QUEUE_VARIABLES = ["QUEUESTATUS", "ABANDONED", "ANSWEREDTIME", "QUEUEWAIT", "MEMBERINTERFACE"] as const;

const seconds = (value: string | undefined) => (value && /^\d+$/.test(value) ? Number(value) : undefined);
const present = (value: string | undefined) => (value ? value : undefined);

/**
 * Queue: ABANDONED=TRUE when the caller left. QUEUESTATUS is set only when no agent answered,
 * or to CONTINUE for an answered call with the `c` option (app_queue sets CONTINUE only for a
 * call a member handled); it is not cleared between calls, so an answer shown by
 * MEMBERINTERFACE or a talk time wins over a stale failure status. An answered call leaves
 * ANSWEREDTIME. `elapsed` is how long EXEC Queue took: minus the talk time, it is the wait.
 */
export function classifyQueue(vars: Vars, elapsedSeconds: number, hungUp: boolean): RouteOutcome {
  const talk = seconds(vars.ANSWEREDTIME);
  const status = vars.QUEUESTATUS;
  if (vars.ABANDONED === "TRUE") {
    return { status: "abandoned", waitSeconds: seconds(vars.QUEUEWAIT) ?? Math.round(elapsedSeconds), detail: "ABANDONED" };
  }
  const answered = status === "CONTINUE" || present(vars.MEMBERINTERFACE) !== undefined || (talk !== undefined && (talk > 0 || !status));
  if (answered) {
    return {
      status: "answered",
      answeredBy: present(vars.MEMBERINTERFACE),
      talkSeconds: talk,
      waitSeconds: talk === undefined ? undefined : Math.max(0, Math.round(elapsedSeconds - talk)),
      ...(status === "CONTINUE" ? { detail: status } : {}),
    };
  }
  if (status === "TIMEOUT") return { status: "no_answer", waitSeconds: Math.round(elapsedSeconds), detail: status };
  if (status === "WITHDRAW") return { status: "abandoned", waitSeconds: Math.round(elapsedSeconds), detail: status };
  if (status && /^(FULL|JOINEMPTY|LEAVEEMPTY|JOINUNAVAIL|LEAVEUNAVAIL)$/.test(status)) {
    return { status: "unavailable", waitSeconds: Math.round(elapsedSeconds), detail: status };
  }
  return { status: hungUp ? "abandoned" : "failed", waitSeconds: Math.round(elapsedSeconds), detail: status ?? "no status" };
}

/** How long the Dial took, as the IVR measured it. */
export interface DialTiming {
  /** The channel's up time when EXEC Dial was sent; undefined when it was up before the IVR (its answer time unknown). */
  upAtDialMs: number | undefined;
  /** EXEC Dial sent -> its reply, on the IVR's clock. */
  spanMs: number;
}

/**
 * Dial: DIALSTATUS says how it ended; EXEC Dial's own -1 means nothing (it follows any
 * bridged call). Times: after an answered Dial, Asterisk 22 sets ANSWEREDTIME(_MS) to the
 * *calling* channel's up time (app_dial's end-of-bridge callback), which includes the time
 * the caller spent in the IVR; minus the up time when Dial started, it is the Dial's span
 * (Dial start to the end of the bridge), which is what Asterisk's CDR bills for a caller
 * answered before the Dial. Asterisk does not tell an AGI when the extension answered
 * (RINGTIME is the time to the first ringing, not to the answer), so the talk time is that
 * span and the ring time unknown. DIALEDTIME is the caller channel's age: useless here; an
 * unanswered Dial's wait is its span on the IVR's clock.
 */
export function classifyDial(vars: Vars, timing: DialTiming): RouteOutcome {
  const status = vars.DIALSTATUS ?? "";
  const span = Math.round(timing.spanMs / 1000);
  switch (status) {
    case "ANSWER":
      return { status: "answered", answeredBy: present(vars.DIALEDPEERNUMBER), talkSeconds: dialSpanSeconds(vars, timing), detail: status };
    case "BUSY":
      return { status: "busy", waitSeconds: span, detail: status };
    case "NOANSWER":
      return { status: "no_answer", waitSeconds: span, detail: status };
    case "CANCEL":
      return { status: "abandoned", waitSeconds: span, detail: status };
    case "CHANUNAVAIL":
    case "CONGESTION":
      return { status: "unavailable", waitSeconds: span, detail: status };
    default:
      return { status: "failed", detail: status || "no DIALSTATUS" };
  }
}

/** The variables classifyDial reads after an answered Dial; ANSWEREDTIME only when the _MS one is missing. */
export const DIAL_ANSWER_VARIABLES = ["DIALEDPEERNUMBER", "ANSWEREDTIME_MS"] as const;

function dialSpanSeconds(vars: Vars, timing: DialTiming): number {
  const ms = seconds(vars.ANSWEREDTIME_MS);
  // ANSWEREDTIME is whole seconds, cut down: on average half a second more.
  const upAtEnd = ms ?? (seconds(vars.ANSWEREDTIME) === undefined ? undefined : seconds(vars.ANSWEREDTIME)! * 1000 + 500);
  if (upAtEnd === undefined || timing.upAtDialMs === undefined) return Math.round(timing.spanMs / 1000);
  return Math.max(0, Math.round((upAtEnd - timing.upAtDialMs) / 1000));
}
