import type { Logger } from "../log.ts";
import { EventBus } from "../tracking/bus.ts";
import { type ListResult, PendingActions } from "./actions.ts";
import { AmiAuthError, AmiConnectionError, AmiError, AmiTimeoutError } from "./errors.ts";
import { AmiFramer } from "./framing.ts";
import { login } from "./login.ts";
import { type ActionFields, type AmiMessage, formatAction } from "./message.ts";
import type { AmiClientEvents, AmiState, AmiStatus } from "./status.ts";
import { type AmiTiming, DEFAULT_TIMING, retryDelay } from "./timing.ts";
import { type AmiSocket, type Connect, connectTcp } from "./transport.ts";

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
  private readonly actions: PendingActions;
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
    this.actions = new PendingActions(options.username);
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
    if (this.actions.size >= this.timing.maxPendingActions) {
      return Promise.reject(new AmiError(`${action}: ${this.actions.size} actions already waiting for Asterisk`));
    }
    const actionId = `${this.prefix}-${++this.counter}`;
    let text: string;
    try {
      text = formatAction({ ...fields, ActionID: actionId });
    } catch (error) {
      return Promise.reject(error);
    }
    const answer = this.actions.expect(actionId, action, options.timeoutMs ?? this.timing.actionTimeoutMs, list);
    session.socket.write(text);
    return answer;
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
    if (this.stopped) socket.close(); // stop() came while we were connecting
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
    this.actions.rejectAll(new AmiConnectionError(`AMI connection lost: ${reason}`));
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

  private login(): Promise<void> {
    return login((fields) => this.request(fields, {}, false, true) as Promise<AmiMessage>, this.options.username, this.options.secret());
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
    const event = message.get("Event");
    if (event === undefined) {
      if (message.get("Response") !== undefined && !this.actions.response(message)) this.state.unmatchedResponses++;
      return;
    }
    if (this.actions.listItem(message)) return;
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
