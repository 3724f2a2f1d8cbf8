/**
 * How a routed call ended, read from the variables Queue and Dial leave on the channel.
 * They can be read even after the caller hung up (GET VARIABLE works on a dead channel).
 */
export type CallStatus =
  | "answered"
  | "busy"
  | "no_answer"
  | "unavailable"
  | "abandoned"
  | "failed"
  | "hungup_in_menu"
  | "no_selection"
  /** Sent to a manager's context by Smart Redirect before the menu; the dialplan dials them. */
  | "smart_redirect";

export interface RouteOutcome {
  status: CallStatus;
  /** Who answered: DIALEDPEERNUMBER for Dial, MEMBERINTERFACE for Queue (needs setinterfacevar=yes). */
  answeredBy?: string;
  talkSeconds?: number;
  /** Time before an answer or before giving up: queue wait, or ringing for Dial. */
  waitSeconds?: number;
  /** The raw status Asterisk gave (DIALSTATUS or QUEUESTATUS), for the log. */
  detail?: string;
}

export type Vars = Readonly<Record<string, string | undefined>>;

export const QUEUE_VARIABLES = ["QUEUESTATUS", "ABANDONED", "ANSWEREDTIME", "QUEUEWAIT", "MEMBERINTERFACE"] as const;
export const DIAL_VARIABLES = ["DIALSTATUS", "DIALEDPEERNUMBER", "ANSWEREDTIME", "DIALEDTIME"] as const;

const seconds = (value: string | undefined) => (value && /^\d+$/.test(value) ? Number(value) : undefined);
const present = (value: string | undefined) => (value ? value : undefined);

/**
 * Queue: ABANDONED=TRUE when the caller left; QUEUESTATUS is set only when no agent
 * answered (and is not cleared between calls, so it is checked after ABANDONED); an
 * answered call leaves ANSWEREDTIME. `elapsed` is how long EXEC Queue took: minus the
 * talk time, it is the wait.
 */
export function classifyQueue(vars: Vars, elapsedSeconds: number, hungUp: boolean): RouteOutcome {
  const talk = seconds(vars.ANSWEREDTIME);
  const status = vars.QUEUESTATUS;
  if (vars.ABANDONED === "TRUE") {
    return { status: "abandoned", waitSeconds: seconds(vars.QUEUEWAIT) ?? Math.round(elapsedSeconds), detail: "ABANDONED" };
  }
  if (status === "TIMEOUT" || status === "CONTINUE") return { status: "no_answer", waitSeconds: Math.round(elapsedSeconds), detail: status };
  if (status === "WITHDRAW") return { status: "abandoned", waitSeconds: Math.round(elapsedSeconds), detail: status };
  if (status && /^(FULL|JOINEMPTY|LEAVEEMPTY|JOINUNAVAIL|LEAVEUNAVAIL)$/.test(status)) {
    return { status: "unavailable", waitSeconds: Math.round(elapsedSeconds), detail: status };
  }
  if (talk !== undefined) {
    return {
      status: "answered",
      answeredBy: present(vars.MEMBERINTERFACE),
      talkSeconds: talk,
      waitSeconds: Math.max(0, Math.round(elapsedSeconds - talk)),
    };
  }
  return { status: hungUp ? "abandoned" : "failed", waitSeconds: Math.round(elapsedSeconds), detail: status ?? "no status" };
}

/** Dial: DIALSTATUS says it all; EXEC Dial's own -1 means nothing (it follows any bridged call). */
export function classifyDial(vars: Vars): RouteOutcome {
  const status = vars.DIALSTATUS ?? "";
  const talk = seconds(vars.ANSWEREDTIME);
  const dialed = seconds(vars.DIALEDTIME);
  switch (status) {
    case "ANSWER":
      return {
        status: "answered",
        answeredBy: present(vars.DIALEDPEERNUMBER),
        talkSeconds: talk,
        waitSeconds: dialed !== undefined && talk !== undefined ? Math.max(0, dialed - talk) : undefined,
        detail: status,
      };
    case "BUSY":
      return { status: "busy", waitSeconds: dialed, detail: status };
    case "NOANSWER":
      return { status: "no_answer", waitSeconds: dialed, detail: status };
    case "CANCEL":
      return { status: "abandoned", waitSeconds: dialed, detail: status };
    case "CHANUNAVAIL":
    case "CONGESTION":
      return { status: "unavailable", waitSeconds: dialed, detail: status };
    default:
      return { status: "failed", detail: status || "no DIALSTATUS" };
  }
}
