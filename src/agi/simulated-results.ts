/** How the routed call ends in `ivr simulate --result`. */
export type SimulatedResult = "answer" | "busy" | "noanswer" | "unavailable" | "abandon";
export const SIMULATED_RESULTS: readonly SimulatedResult[] = ["answer", "busy", "noanswer", "unavailable", "abandon"];

export interface SimulatedEffect {
  /** What the caller experiences. */
  what: string;
  /** The channel variables the simulator leaves, as Asterisk 22 would. */
  variables: string;
  /** The call's status in the history. */
  status: string;
}

/**
 * What each --result does on an extension (Dial) and on a queue (Queue), for the help text
 * and the simulation's output. A queue is never busy: app_queue reports a full queue
 * (QUEUESTATUS=FULL) instead, so --result busy on a queue simulates that.
 */
export const SIMULATED_EFFECTS: Record<SimulatedResult, { extension: SimulatedEffect; queue: SimulatedEffect }> = {
  answer: {
    extension: { what: "answered", variables: "DIALSTATUS=ANSWER", status: "answered" },
    queue: { what: "a member answers", variables: "ANSWEREDTIME=42", status: "answered" },
  },
  busy: {
    extension: { what: "busy", variables: "DIALSTATUS=BUSY", status: "busy" },
    queue: { what: "a queue is never busy: the queue is full", variables: "QUEUESTATUS=FULL", status: "unavailable" },
  },
  noanswer: {
    extension: { what: "rings without an answer", variables: "DIALSTATUS=NOANSWER", status: "no_answer" },
    queue: { what: "no member answers in time", variables: "QUEUESTATUS=TIMEOUT", status: "no_answer" },
  },
  unavailable: {
    extension: { what: "cannot be reached", variables: "DIALSTATUS=CHANUNAVAIL", status: "unavailable" },
    queue: { what: "no member is logged in", variables: "QUEUESTATUS=JOINEMPTY", status: "unavailable" },
  },
  abandon: {
    extension: { what: "the caller hangs up while it rings", variables: "DIALSTATUS=CANCEL", status: "abandoned" },
    queue: { what: "the caller hangs up while waiting", variables: "ABANDONED=TRUE", status: "abandoned" },
  },
};

export function describeEffect(result: SimulatedResult, kind: "extension" | "queue"): string {
  const { what, variables, status } = SIMULATED_EFFECTS[result][kind];
  return `${what} (${variables}), recorded as ${status}`;
}
