import { createHash } from "node:crypto";
import type { Logger } from "../log.ts";
import { EventBus } from "../tracking/bus.ts";
import { ACTION_CLASSES, AmiAuthError, AmiConnectionError, AmiError, AmiPermissionError, AmiResponseError, AmiTimeoutError } from "./errors.ts";
import { AmiFramer } from "./framing.ts";
import { type ActionFields, type AmiMessage, formatAction } from "./message.ts";
import { type AmiSocket, type Connect, connectTcp } from "./transport.ts";

export interface AmiTiming {
  connectTimeoutMs: number;
  /** Per action, unless the caller gives its own. */
  actionTimeoutMs: number;
  /** A Ping this often, answered within pingTimeoutMs, or the connection is presumed dead. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Reconnect backoff: the first retry within retryInitialMs, doubling with jitter up to retryMaxMs. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** A connection that lasted this long resets the backoff. */
  stableAfterMs: number;
  /** After a refused login: never retry sooner than this (a wrong secret is not fixed by hammering). */
  authRetryMs: number;
  /** How long to wait for FullyBooted after login before resyncing anyway. */
  fullyBootedTimeoutMs: number;
  /** Bytes we may hold for a peer that does not read, and actions in flight. */
  maxPendingWrite: number;
  maxPendingActions: number;
}

export const DEFAULT_TIMING: AmiTiming = {
  connectTimeoutMs: 5000,
  actionTimeoutMs: 10_000,
  pingIntervalMs: 10_000,
  pingTimeoutMs: 5000,
  retryInitialMs: 500,
  retryMaxMs: 30_000,
  stableAfterMs: 60_000,
  authRetryMs: 30_000,
  fullyBootedTimeoutMs: 5000,
  maxPendingWrite: 1024 * 1024,
  maxPendingActions: 1000,
};

/**
 * How long to wait before the next attempt after `failures` failed ones: exponential from
 * retryInitialMs, capped at retryMaxMs, with jitter (half of it random) so that many
 * clients do not reconnect in step; never sooner than authRetryMs after a refused login.
 */
export function retryDelay(failures: number, timing: Pick<AmiTiming, "retryInitialMs" | "retryMaxMs" | "authRetryMs">, random: number, authFailed: boolean): number {
  const base = Math.min(timing.retryMaxMs, timing.retryInitialMs * 2 ** Math.min(failures, 30));
  const delay = base / 2 + random * (base / 2);
  return authFailed ? Math.max(delay, timing.authRetryMs) : delay;
}

export type AmiState = "stopped" | "connecting" | "logging-in" | "connected" | "waiting";

export interface AmiStatus {
  state: AmiState;
  /** When the current state began. */
  since: number;
  connectedSince: number | null;
  lastEventAt: number | null;
  /** The AMI protocol version from the banner (Asterisk 22 says 11.0.0). */
  amiVersion: string | null;
  /** Successful logins after the first. */
  reconnects: number;
  /** Connection attempts that failed since the last stable connection. */
  failures: number;
  lastError: string | null;
  authFailed: boolean;
  nextAttemptAt: number | null;
  fullyBooted: boolean;
  unmatchedResponses: number;
}

export interface AmiClientEvents extends Record<string, unknown> {
  /** An event (not a list item of an action of ours), as soon as it is read. */
  event: { message: AmiMessage; receivedAt: number };
  /**
   * Logged in and Asterisk fully booted (or we stopped waiting for it): time to resync.
   * `login` counts the logins of this client (1 for the first); a later FullyBooted in the
   * same session (Asterisk finished booting) comes again with the same number.
   */
  ready: { fullyBooted: boolean; at: number; login: number };
  /** The connection ended; events may have been missed from `at` until the next ready. */
  disconnected: { reason: string; at: number; wasConnected: boolean };
  /** A message was refused by the framing limits: one event at least is lost. */
  lost: { reason: string; at: number };
}

export interface ListResult {
  response: AmiMessage;
  items: AmiMessage[];
  complete: AmiMessage | undefined;
}

interface Pending {
  action: string;
  resolve: (value: AmiMessage | ListResult) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  list?: { items: AmiMessage[]; response?: AmiMessage };
}

interface Session {
  socket: AmiSocket;
  framer: AmiFramer;
  connectedAt?: number;
  pingTimer?: ReturnType<typeof setInterval>;
  readyTimer?: ReturnType<typeof setTimeout>;
  /** FullyBooted arrived (it may come in the same read as the login response). */
  booted: boolean;
  pinging: boolean;
}

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  /** Read at every login, so a changed environment is picked up; never logged. */
  secret: () => string | undefined;
  log: Logger;
  timing?: Partial<AmiTiming>;
  connect?: Connect;
  random?: () => number;
  clock?: () => number;
}

/**
 * One resilient AMI connection: login (MD5 challenge, else plain), actions matched by a
 * unique ActionID (a random prefix per client and a counter) with a timeout each, list
 * actions completed on `EventList: Complete`, a Ping every pingIntervalMs, reconnection with
 * backoff and jitter. Reading is never held up: events go out on the bus as they are parsed,
 * and subscribers must queue what they cannot do at once (see EventQueue).
 */
export class AmiClient {
  readonly bus: EventBus<AmiClientEvents>;
  private readonly timing: AmiTiming;
  private readonly prefix = crypto.getRandomValues(new Uint8Array(4)).reduce((s, b) => s + b.toString(16).padStart(2, "0"), "");
  private counter = 0;
  private logins = 0;
  private readonly pending = new Map<string, Pending>();
  private session: Session | undefined;
  private stopped = true;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly clock: () => number;
  private readonly state: AmiStatus;

  constructor(private readonly options: AmiClientOptions) {
    // Only what is given: an undefined setting keeps its default.
    this.timing = { ...DEFAULT_TIMING, ...Object.fromEntries(Object.entries(options.timing ?? {}).filter(([, value]) => value !== undefined)) };
    this.clock = options.clock ?? Date.now;
    this.bus = new EventBus<AmiClientEvents>((type, error) => options.log.error(`AMI ${type} subscriber failed: ${(error as Error)?.stack ?? error}`));
    this.state = {
      state: "stopped",
      since: this.clock(),
      connectedSince: null,
      lastEventAt: null,
      amiVersion: null,
      reconnects: 0,
      failures: 0,
      lastError: null,
      authFailed: false,
      nextAttemptAt: null,
      fullyBooted: false,
      unmatchedResponses: 0,
    };
  }

  get status(): Readonly<AmiStatus> {
    return this.state;
  }

  get target(): string {
    return `${this.options.username}@${this.options.host}:${this.options.port}`;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  /** Logs off (briefly waiting for Goodbye) and stops reconnecting. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    const session = this.session;
    if (session && this.state.state === "connected") {
      await this.send({ Action: "Logoff" }, { timeoutMs: 1000 }).catch(() => {});
    }
    session?.socket.close();
    await this.loop;
    this.setState("stopped");
  }

  /** Sends an action; resolves with its response, rejects with an AmiError. */
  send(fields: ActionFields, options: { timeoutMs?: number } = {}): Promise<AmiMessage> {
    return this.request(fields, options, false) as Promise<AmiMessage>;
  }

  /** A list action (CoreShowChannels, QueueStatus...): its items, complete on `EventList: Complete`. */
  list(fields: ActionFields, options: { timeoutMs?: number } = {}): Promise<ListResult> {
    return this.request(fields, options, true) as Promise<ListResult>;
  }

  private request(fields: ActionFields, options: { timeoutMs?: number }, list: boolean, duringLogin = false): Promise<AmiMessage | ListResult> {
    const action = String(fields.Action ?? "");
    const session = this.session;
    if (!session || (this.state.state !== "connected" && !duringLogin)) {
      return Promise.reject(new AmiConnectionError(`${action}: not connected to Asterisk (${this.state.state})`));
    }
    if (this.pending.size >= this.timing.maxPendingActions) {
      return Promise.reject(new AmiError(`${action}: ${this.pending.size} actions already waiting for Asterisk`));
    }
    const actionId = `${this.prefix}-${++this.counter}`;
    let text: string;
    try {
      text = formatAction({ ...fields, ActionID: actionId });
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.timing.actionTimeoutMs;
      const timer = setTimeout(() => {
        this.pending.delete(actionId);
        reject(new AmiTimeoutError(action, timeoutMs));
      }, timeoutMs);
      this.pending.set(actionId, { action, resolve, reject, timer, list: list ? { items: [] } : undefined });
      session.socket.write(text);
    });
  }

  private async run(): Promise<void> {
    let first = true;
    while (!this.stopped) {
      const connectedFor = await this.runSession(first);
      first = false;
      if (this.stopped) break;
      if (connectedFor >= this.timing.stableAfterMs) this.state.failures = 0;
      const delay = retryDelay(this.state.failures, this.timing, (this.options.random ?? Math.random)(), this.state.authFailed);
      this.state.failures++;
      this.state.nextAttemptAt = this.clock() + Math.round(delay);
      this.setState("waiting");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One connection, from connect to close; returns how long it was logged in (0 if never). */
  private async runSession(first: boolean): Promise<number> {
    this.setState("connecting");
    const { log } = this.options;
    const framer = new AmiFramer();
    let closedWith!: (reason: string) => void;
    const closed = new Promise<string>((resolve) => (closedWith = resolve));
    let socket: AmiSocket;
    try {
      socket = await (this.options.connect ?? connectTcp)(
        { host: this.options.host, port: this.options.port, timeoutMs: this.timing.connectTimeoutMs, maxPendingWrite: this.timing.maxPendingWrite },
        { data: (chunk) => this.onData(framer, chunk), closed: (reason) => closedWith(reason) },
      );
    } catch (error) {
      this.fail(`cannot connect to ${this.options.host}:${this.options.port}: ${(error as Error).message}`);
      return 0;
    }
    const session: Session = { socket, framer, booted: false, pinging: false };
    this.session = session;
    this.setState("logging-in");
    const loggedIn = this.login().then(
      () => true,
      (error: Error) => {
        this.fail(error.message, error instanceof AmiAuthError);
        socket.close();
        return false;
      },
    );
    const ended = await Promise.race([closed.then((reason) => ({ reason })), loggedIn.then((ok) => ({ ok }))]);
    if ("ok" in ended && ended.ok && !this.stopped) {
      session.connectedAt = this.clock();
      this.state.connectedSince = session.connectedAt;
      this.state.authFailed = false;
      this.state.lastError = null;
      this.state.nextAttemptAt = null;
      if (!first) this.state.reconnects++;
      this.logins++;
      this.setState("connected");
      log.info(`AMI: logged in to ${this.target}`);
      session.pingTimer = setInterval(() => this.ping(session), this.timing.pingIntervalMs);
      if (session.booted) {
        this.bus.emit("ready", { fullyBooted: true, at: this.clock(), login: this.logins });
      } else {
        session.readyTimer = setTimeout(() => {
          log.warn(`AMI: no FullyBooted event within ${this.timing.fullyBootedTimeoutMs} ms of login: resyncing anyway (is "system" in read= for [${this.options.username}]?)`);
          this.bus.emit("ready", { fullyBooted: false, at: this.clock(), login: this.logins });
        }, this.timing.fullyBootedTimeoutMs);
      }
    }
    const reason = await closed;
    clearInterval(session.pingTimer);
    clearTimeout(session.readyTimer);
    this.session = undefined;
    const lost = new AmiConnectionError(`AMI connection lost: ${reason}`);
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(lost);
    }
    if (framer.midMessage) log.warn("AMI: a message cut by the disconnect was discarded");
    const wasConnected = session.connectedAt !== undefined;
    const connectedFor = wasConnected ? this.clock() - session.connectedAt! : 0;
    this.state.connectedSince = null;
    this.state.fullyBooted = false;
    if (wasConnected) {
      if (!this.stopped) log.warn(`AMI: disconnected from ${this.target}: ${reason}`);
      this.state.lastError = reason;
      this.bus.emit("disconnected", { reason, at: this.clock(), wasConnected });
    }
    return connectedFor;
  }

  private async login(): Promise<void> {
    const secret = this.options.secret();
    if (!secret) throw new AmiAuthError(`no AMI secret: set ami.secret (or the environment variable it names)`);
    let fields: ActionFields;
    try {
      const challenge = (await this.request({ Action: "Challenge", AuthType: "MD5" }, {}, false, true)) as AmiMessage;
      const nonce = challenge.get("Challenge") ?? "";
      fields = { Action: "Login", Username: this.options.username, AuthType: "MD5", Key: createHash("md5").update(nonce + secret).digest("hex") };
    } catch (error) {
      if (!(error instanceof AmiResponseError)) throw error;
      fields = { Action: "Login", Username: this.options.username, Secret: secret };
    }
    try {
      await this.request({ ...fields, Events: "on" }, {}, false, true);
    } catch (error) {
      if (error instanceof AmiResponseError) {
        throw new AmiAuthError(`AMI login as "${this.options.username}" refused (${error.response.get("Message") ?? "error"}): check ami.username and ami.secret, and permit= in manager.conf`);
      }
      throw error;
    }
  }

  private ping(session: Session): void {
    if (session.pinging || this.session !== session) return;
    session.pinging = true;
    this.send({ Action: "Ping" }, { timeoutMs: this.timing.pingTimeoutMs }).then(
      () => void (session.pinging = false),
      (error: Error) => {
        session.pinging = false;
        if (error instanceof AmiTimeoutError && this.session === session) {
          this.options.log.warn(`AMI: no answer to Ping within ${this.timing.pingTimeoutMs} ms: the connection is presumed dead, reconnecting`);
          session.socket.close();
        }
      },
    );
  }

  private onData(framer: AmiFramer, chunk: Uint8Array): void {
    const receivedAt = this.clock();
    for (const item of framer.push(chunk)) {
      if (item.kind === "message") this.onMessage(item.message, receivedAt);
      else if (item.kind === "banner") this.state.amiVersion = item.version;
      else {
        this.options.log.error(`AMI: refused a message from Asterisk (${item.reason}): ${JSON.stringify(item.sample)}`);
        this.bus.emit("lost", { reason: item.reason, at: receivedAt });
      }
    }
  }

  private onMessage(message: AmiMessage, receivedAt: number): void {
    const actionId = message.get("ActionID");
    const pending = actionId === undefined ? undefined : this.pending.get(actionId);
    const event = message.get("Event");
    if (event === undefined) {
      if (message.get("Response") === undefined) return;
      if (pending) this.onResponse(actionId!, pending, message);
      else this.state.unmatchedResponses++;
      return;
    }
    if (pending?.list) {
      if (/^complete$/i.test(message.get("EventList") ?? "")) this.settle(actionId!, pending, { response: pending.list.response ?? message, items: pending.list.items, complete: message });
      else pending.list.items.push(message);
      return;
    }
    this.state.lastEventAt = receivedAt;
    if (event === "FullyBooted" && this.session) {
      // Sent to a session right after its login, and again whenever Asterisk finishes booting.
      this.session.booted = true;
      this.state.fullyBooted = true;
      if (this.state.state === "connected") {
        clearTimeout(this.session.readyTimer);
        this.bus.emit("ready", { fullyBooted: true, at: receivedAt, login: this.logins });
      }
    }
    this.bus.emit("event", { message, receivedAt });
  }

  private onResponse(actionId: string, pending: Pending, response: AmiMessage): void {
    if (response.get("Response") === "Error") {
      const message = response.get("Message") ?? "";
      const classes = ACTION_CLASSES[pending.action];
      const error = /permission denied/i.test(message) && classes ? new AmiPermissionError(pending.action, response, this.options.username, classes) : new AmiResponseError(pending.action, response);
      clearTimeout(pending.timer);
      this.pending.delete(actionId);
      pending.reject(error);
      return;
    }
    if (pending.list && /^start$/i.test(response.get("EventList") ?? "")) {
      pending.list.response = response;
      return;
    }
    this.settle(actionId, pending, pending.list ? { response, items: [], complete: undefined } : response);
  }

  private settle(actionId: string, pending: Pending, value: AmiMessage | ListResult): void {
    clearTimeout(pending.timer);
    this.pending.delete(actionId);
    pending.resolve(value);
  }

  private fail(reason: string, auth = false): void {
    this.state.lastError = reason;
    this.state.authFailed = auth;
    this.options.log[auth ? "error" : "warn"](`AMI: ${reason}`);
  }

  private setState(state: AmiState): void {
    if (this.state.state === state) return;
    this.state.state = state;
    this.state.since = this.clock();
  }
}
