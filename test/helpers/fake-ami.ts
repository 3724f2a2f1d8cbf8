import { createHash } from "node:crypto";
import { AmiFramer } from "../../src/ami/framing.ts";
import { AmiMessage } from "../../src/ami/message.ts";
import { type OriginatePlan, originateEvents } from "./fake-originate.ts";

/**
 * A fake Asterisk manager over real TCP (Bun.listen): the banner, Challenge/Login (MD5 or
 * plain), Ping, CoreShowChannels (from the channels alive in what it has played), Logoff;
 * it replays recorded events to logged-in clients and injects faults. The product connects
 * to it exactly as to Asterisk 22.
 */
export interface FakeAmiOptions {
  username?: string;
  secret?: string;
  /** Answer Challenge (MD5 login); false: refuse it, as a server without MD5 would. */
  md5?: boolean;
  /** Send FullyBooted after login (false: as Asterisk does when "system" is not in read=). */
  fullyBooted?: boolean;
  /** Actions answered `Permission denied`. */
  denied?: string[];
  /** How each Originate goes (fake-originate.ts); without it every one is answered. */
  originate?: (action: AmiMessage) => OriginatePlan;
}

type Client = { socket: Bun.Socket<{ framer: AmiFramer }>; loggedIn: boolean; unsent?: Uint8Array };

const encoder = new TextEncoder();

export class FakeAmi {
  readonly username: string;
  secret: string;
  port = 0;
  md5: boolean;
  fullyBooted: boolean;
  denied: Set<string>;
  /** Answer nothing and send nothing (a half-dead peer). */
  stalled = false;
  /** Keep sending events but never answer an action (a peer that stopped reading). */
  deaf = false;
  /** Close every new connection at once (Asterisk down). */
  away = false;
  connections = 0;
  logins = 0;
  failedLogins = 0;
  readonly actions: AmiMessage[] = [];
  /** How each Originate goes (see FakeAmiOptions.originate). */
  originate: (action: AmiMessage) => OriginatePlan;
  /** Originates whose call is not over yet, by ChannelId: a Hangup action ends them early. */
  private readonly calls = new Map<string, { names: Set<string>; hangUp: () => void }>();
  private uniquifier = 0x1000;
  /** Live channels, as the events played so far leave them: uniqueid -> last snapshot headers. */
  readonly channels = new Map<string, Record<string, string>>();
  private readonly clients = new Set<Client>();
  private server: Bun.TCPSocketListener<{ framer: AmiFramer }> | undefined;

  constructor(options: FakeAmiOptions = {}) {
    this.username = options.username ?? "ivr";
    this.secret = options.secret ?? "s3cret-ami";
    this.md5 = options.md5 ?? true;
    this.fullyBooted = options.fullyBooted ?? true;
    this.denied = new Set(options.denied ?? []);
    this.originate = options.originate ?? (() => ({ outcome: "answered" }));
  }

  /** The Originate actions received, in order. */
  get originates(): AmiMessage[] {
    return this.actions.filter((action) => action.get("Action") === "Originate");
  }

  start(): this {
    const server: Bun.TCPSocketListener<{ framer: AmiFramer }> = Bun.listen<{ framer: AmiFramer }>({
      hostname: "127.0.0.1",
      port: this.port,
      socket: {
        open: (socket) => {
          this.connections++;
          if (this.away) return void socket.end();
          socket.data = { framer: new AmiFramer({ banner: false }) };
          const client: Client = { socket, loggedIn: false };
          this.clients.add(client);
          this.write(client, "Asterisk Call Manager/11.0.0\r\n");
        },
        data: (socket, data) => {
          const client = [...this.clients].find((c) => c.socket === socket);
          if (!client || this.stalled) return;
          for (const item of socket.data.framer.push(data)) {
            if (item.kind !== "message") continue;
            this.actions.push(item.message);
            if (!this.deaf) this.onAction(client, item.message);
          }
        },
        drain: (socket) => {
          const client = [...this.clients].find((c) => c.socket === socket);
          if (client?.unsent) this.write(client, undefined);
        },
        close: (socket) => {
          for (const client of this.clients) if (client.socket === socket) this.clients.delete(client);
        },
      },
    });
    this.server = server;
    this.port = server.port;
    return this;
  }

  stop(): void {
    for (const client of this.clients) client.socket.end();
    this.clients.clear();
    this.server?.stop(true);
  }

  /** Bytes written but not yet taken by the sockets (a sender paces itself on this). */
  get backlog(): number {
    let bytes = 0;
    for (const client of this.clients) bytes += client.unsent?.length ?? 0;
    return bytes;
  }

  get loggedIn(): number {
    return [...this.clients].filter((c) => c.loggedIn).length;
  }

  /** Plays events: the fake's channel state follows them, and logged-in clients get them unless it is away or stalled. */
  play(events: readonly AmiMessage[]): void {
    let text = "";
    for (const message of events) {
      this.follow(message);
      text += message.toText();
    }
    this.broadcast(text);
  }

  /** Plays events already rendered as `text` (a benchmark renders them ahead of time). */
  playText(events: readonly AmiMessage[], text: string): void {
    for (const message of events) this.follow(message);
    this.broadcast(text);
  }

  /** Writes raw bytes to every logged-in client. */
  broadcast(text: string): void {
    if (this.stalled || this.away || !text) return;
    for (const client of this.clients) if (client.loggedIn) this.write(client, text);
  }

  /** In order, all of it: what the socket does not take now is sent on drain (Bun writes only what fits). */
  private write(client: Client, text: string | undefined): void {
    const bytes = text === undefined ? new Uint8Array() : encoder.encode(text);
    let data = bytes;
    if (client.unsent) {
      data = new Uint8Array(client.unsent.length + bytes.length);
      data.set(client.unsent);
      data.set(bytes, client.unsent.length);
    }
    if (!data.length) return;
    const written = Math.max(client.socket.write(data), 0);
    client.unsent = written < data.length ? data.subarray(written) : undefined;
  }

  /** Drops every connection; with `away`, new ones are refused until comeBack(). */
  drop(away = true): void {
    this.away = away;
    for (const client of this.clients) client.socket.end();
    this.clients.clear();
  }

  comeBack(): void {
    this.away = false;
  }

  private onAction(client: Client, action: AmiMessage): void {
    const id = action.get("ActionID");
    const reply = (fields: Record<string, string>): void => this.write(client, AmiMessage.from({ ...fields, ...(id ? { ActionID: id } : {}) }).toText());
    const name = action.get("Action") ?? "";
    if (!client.loggedIn && !["Challenge", "Login", "Logoff"].includes(name)) return reply({ Response: "Error", Message: "Permission denied" });
    if (this.denied.has(name)) return reply({ Response: "Error", Message: "Permission denied" });
    switch (name) {
      case "Challenge":
        if (!this.md5) return reply({ Response: "Error", Message: "Must specify AuthType" });
        (client as Client & { nonce?: string }).nonce = String(Math.floor(Math.random() * 1e9));
        return reply({ Response: "Success", Challenge: (client as Client & { nonce?: string }).nonce! });
      case "Login": {
        const nonce = (client as Client & { nonce?: string }).nonce;
        const key = action.get("Key");
        const ok =
          action.get("Username") === this.username &&
          (key !== undefined ? nonce !== undefined && key === createHash("md5").update(nonce + this.secret).digest("hex") : action.get("Secret") === this.secret);
        if (!ok) {
          this.failedLogins++;
          reply({ Response: "Error", Message: "Authentication failed" });
          return void client.socket.end();
        }
        this.logins++;
        client.loggedIn = true;
        reply({ Response: "Success", Message: "Authentication accepted" });
        if (this.fullyBooted) this.write(client, AmiMessage.from({ Event: "FullyBooted", Privilege: "system,all", Uptime: "120", LastReload: "120", Status: "Fully Booted" }).toText());
        return;
      }
      case "Ping":
        return reply({ Response: "Success", Ping: "Pong", Timestamp: (Date.now() / 1000).toFixed(6) });
      case "CoreShowChannels": {
        let text = AmiMessage.from({ Response: "Success", ...(id ? { ActionID: id } : {}), EventList: "start", Message: "Channels will follow" }).toText();
        for (const channel of this.channels.values()) {
          text += AmiMessage.from({ Event: "CoreShowChannel", ...(id ? { ActionID: id } : {}), ...channel, Duration: "00:00:05" }).toText();
        }
        text += AmiMessage.from({ Event: "CoreShowChannelsComplete", ...(id ? { ActionID: id } : {}), EventList: "Complete", ListItems: String(this.channels.size) }).toText();
        this.write(client, text);
        return;
      }
      case "Originate":
        return this.onOriginate(action, reply);
      case "Hangup": {
        const name = action.get("Channel") ?? "";
        const call = [...this.calls.values()].find((c) => c.names.has(name));
        if (!call) return reply({ Response: "Error", Message: "No such channel" });
        reply({ Response: "Success", Message: "Channel Hungup" });
        return call.hangUp();
      }
      case "Logoff":
        reply({ Response: "Goodbye", Message: "Thanks for all the fish." });
        return void client.socket.end();
      default:
        return reply({ Response: "Error", Message: `Invalid/unknown command: ${name}. Use Action: ListCommands to show available commands.` });
    }
  }

  /**
   * Asterisk 22 with Async: true answers at once (`Originate successfully queued`), then
   * the call's events follow: its setup, then after holdMs (or a Hangup action) its teardown.
   */
  private onOriginate(action: AmiMessage, reply: (fields: Record<string, string>) => void): void {
    const ids = {
      channel: action.get("Channel") ?? "",
      channelId: action.get("ChannelId") ?? `fake.${this.uniquifier}`,
      otherChannelId: action.get("OtherChannelId") ?? `fake.${this.uniquifier}-2`,
      actionId: action.get("ActionID") ?? "",
    };
    if (!ids.channel || !action.get("Context") || !action.get("Exten") || !action.get("Priority")) {
      return reply({ Response: "Error", Message: "Originate with 'Exten' requires 'Context' and 'Priority'" });
    }
    reply({ Response: "Success", Message: "Originate successfully queued" });
    const plan = this.originate(action);
    const { setup, teardown } = originateEvents(plan.outcome, ids, () => (this.uniquifier++).toString(16).padStart(8, "0"));
    const names = new Set(setup.flatMap((m) => [m.get("Channel"), m.get("DestChannel")]).filter((n): n is string => Boolean(n)));
    let ended = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      this.calls.delete(ids.channelId);
      this.play(teardown);
    };
    this.calls.set(ids.channelId, { names, hangUp: end });
    setTimeout(async () => {
      this.play(setup);
      await plan.whileUp?.(ids);
      if (!ended) timer = setTimeout(end, plan.holdMs ?? 20);
    }, 1);
  }

  private follow(message: AmiMessage): void {
    const uniqueid = message.get("Uniqueid");
    const channel = message.get("Channel");
    if (!uniqueid || !channel) return;
    if (message.event === "Hangup") return void this.channels.delete(uniqueid);
    const known = this.channels.get(uniqueid);
    if (!known && message.event !== "Newchannel") return;
    const snapshot: Record<string, string> = { ...known };
    for (const key of ["Channel", "ChannelState", "ChannelStateDesc", "CallerIDNum", "CallerIDName", "ConnectedLineNum", "ConnectedLineName", "Language", "AccountCode", "Context", "Exten", "Priority", "Uniqueid", "Linkedid"]) {
      const value = message.get(key);
      if (value !== undefined && !(known && (key === "Context" || key === "Exten"))) snapshot[key] = value;
    }
    if (message.event === "BridgeEnter") snapshot.BridgeId = message.get("BridgeUniqueid") ?? "";
    if (message.event === "BridgeLeave") snapshot.BridgeId = "";
    snapshot.BridgeId ??= "";
    snapshot.Application ??= "";
    snapshot.ApplicationData ??= "";
    this.channels.set(uniqueid, snapshot);
  }
}

/**
 * The same events with fresh identities, for replaying a recording again: every uniqueid
 * and linkedid gets a suffix, every channel name a new uniquifier, so nothing collides with
 * an earlier round.
 */
export function freshen(events: readonly AmiMessage[], round: number): AmiMessage[] {
  const suffix = `-r${round}`;
  return events.map((message) => {
    const fields = [...message.fields];
    for (let i = 0; i < fields.length; i += 2) {
      const key = fields[i]!.toLowerCase();
      const value = fields[i + 1]!;
      if (key.endsWith("uniqueid") || key.endsWith("linkedid")) {
        if (value && value !== "<unknown>") fields[i + 1] = value + suffix;
      } else if (key.endsWith("channel") && value.includes("/")) {
        fields[i + 1] = value.replace(/-([0-9a-f]{8})(;[12])?$/, (_, hex: string, half = "") => `-${((parseInt(hex, 16) + round * 0x10000) >>> 0).toString(16).padStart(8, "0")}${half}`);
      }
    }
    return new AmiMessage(fields);
  });
}
