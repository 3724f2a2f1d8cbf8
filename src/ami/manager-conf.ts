/**
 * The manager.conf section for the product's AMI user: the least privilege that serves it.
 * Read classes (manager.c): call = channels, dials, bridges, transfers, pickups,
 * OriginateResponse; agent = queues and their members; system = FullyBooted (when to resync).
 * Write classes: reporting = CoreShowChannels (the resync); originate = Originate (click-to-call,
 * callbacks, campaigns: always into the generated context, never an application, which would
 * need system); call = Hangup (cancelling an outbound call). The event filters use Asterisk 22's syntax
 * (`eventfilter(action(exclude),name(X)) =`, in Asterisk since 18.25, 20.10, 21.5, 22.0).
 */
export const READ_CLASSES = ["call", "agent", "system"] as const;
export const WRITE_CLASSES = ["reporting", "originate", "call"] as const;
/** Events the product never uses, dropped by Asterisk before they are sent. */
export const EXCLUDED_EVENTS = ["VarSet", "Newexten", "RTCPSent", "RTCPReceived"] as const;

export interface ManagerConfOptions {
  username: string;
  /** An address or network (CIDR or address/mask) allowed to log in as this user. */
  permit: string;
  /** Said in a comment when ivr serve connects from another machine. */
  host?: string;
  secretSource?: string;
}

export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}

/** `10.0.0.5` -> `10.0.0.5/255.255.255.255`; `10.0.0.0/24` and `a/mask` as given. */
export function permitValue(address: string): string {
  if (address.includes("/")) return address;
  return address.includes(":") ? `${address}/128` : `${address}/255.255.255.255`;
}

export function managerConf(options: ManagerConfOptions): string {
  const remote = options.host !== undefined && !isLoopback(options.host);
  return [
    `; manager.conf: the AMI user of ivr serve (printed by \`ivr ami --manager-conf\`), Asterisk 22.`,
    `; In [general]: enabled = yes, and bindaddr = 127.0.0.1 when ivr serve runs on this machine.`,
    `; timestampevents = yes there gives every event Asterisk's own time, which ivr then uses.`,
    `; After editing: asterisk -rx "manager reload".`,
    `[${options.username}]`,
    `; The value of ami.secret in ivr's config${options.secretSource ? ` (${options.secretSource})` : ""}:`,
    `secret = REPLACE-WITH-THE-AMI-SECRET`,
    `deny = 0.0.0.0/0.0.0.0`,
    ...(remote ? [`; ivr serve connects to ${options.host} from another machine: permit that machine's address (--permit ADDR).`] : []),
    `permit = ${permitValue(options.permit)}`,
    `; read: call (channels, dials, bridges, transfers, pickups, OriginateResponse),`,
    `; agent (queues and their members), system (FullyBooted: when to resync). Nothing else.`,
    `read = ${READ_CLASSES.join(",")}`,
    `; write: reporting (CoreShowChannels, the resync after every connect), originate`,
    `; (click-to-call, callbacks, campaigns, always into ivr's generated context), call (Hangup,`,
    `; to cancel an outbound call). Never system. Originate's variables reach the dialplan: keep`,
    `; the user bound to loopback.`,
    `write = ${WRITE_CLASSES.join(",")}`,
    `; Asterisk drops a client that has not read within writetimeout ms (100 by default). ivr`,
    `; reads continuously; a second covers a moment of load without losing the connection.`,
    `writetimeout = 1000`,
    `; Events ivr does not use, dropped by Asterisk before they are sent.`,
    ...EXCLUDED_EVENTS.map((name) => `eventfilter(action(exclude),name(${name})) =`),
    ``,
  ].join("\n");
}
