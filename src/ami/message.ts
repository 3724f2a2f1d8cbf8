/**
 * One AMI message as Asterisk sent it: `Key: Value` headers in order, repeated keys kept
 * (`ChanVariable`, `Output`), and for the old `Response: Follows` form the body lines.
 * Keys are matched case-insensitively, since Asterisk itself is not consistent
 * (`UniqueID` in Cdr, `Uniqueid` elsewhere). Unknown headers pass through untouched.
 */
export class AmiMessage {
  constructor(
    /** Alternating keys and values, in the order received: [k0, v0, k1, v1, ...]. */
    readonly fields: readonly string[],
    /** Lines that are not headers: a `Response: Follows` body, or stray text. */
    readonly body: readonly string[] = [],
  ) {}

  /** The first value of `key`, or undefined. */
  get(key: string): string | undefined {
    const fields = this.fields;
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === key) return fields[i + 1];
    const lower = key.toLowerCase();
    for (let i = 0; i < fields.length; i += 2) if (fields[i]!.length === key.length && fields[i]!.toLowerCase() === lower) return fields[i + 1];
    return undefined;
  }

  /** Every value of a repeated key, in order. */
  all(key: string): string[] {
    const lower = key.toLowerCase();
    const values: string[] = [];
    for (let i = 0; i < this.fields.length; i += 2) if (this.fields[i]!.toLowerCase() === lower) values.push(this.fields[i + 1]!);
    return values;
  }

  get event(): string | undefined {
    return this.get("Event");
  }

  get response(): string | undefined {
    return this.get("Response");
  }

  get actionId(): string | undefined {
    return this.get("ActionID");
  }

  /** The headers as an object (the first value of each key), for logs and JSON. */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (let i = 0; i < this.fields.length; i += 2) out[this.fields[i]!] ??= this.fields[i + 1]!;
    return out;
  }

  /** The message as Asterisk would write it, CRLF line ends and the closing blank line. */
  toText(): string {
    let text = "";
    for (let i = 0; i < this.fields.length; i += 2) text += `${this.fields[i]}: ${this.fields[i + 1]}\r\n`;
    for (const line of this.body) text += `${line}\r\n`;
    return `${text}\r\n`;
  }

  static from(headers: Record<string, string | number | readonly string[]>): AmiMessage {
    const fields: string[] = [];
    for (const [key, value] of Object.entries(headers)) {
      for (const one of Array.isArray(value) ? value : [value]) fields.push(key, String(one));
    }
    return new AmiMessage(fields);
  }
}

/** An action we refuse to send: a CR or LF would end the header early and smuggle in another. */
export class AmiActionError extends Error {
  override name = "AmiActionError";
}

export type ActionFields = Record<string, string | number | readonly string[] | undefined>;

/** Asterisk reads an action line into a 1024-byte buffer (CRLF included) and drops longer ones. */
export const MAX_ACTION_LINE_BYTES = 1022;
/** Asterisk keeps at most 128 headers of an action (AST_MAX_MANHEADERS) and ignores the rest. */
export const MAX_ACTION_HEADERS = 128;

const encoder = new TextEncoder();

/**
 * An action as bytes: `Key: Value` lines ending in CRLF and a blank line. Array values
 * become repeated headers (several `Variable:` lines for Originate); undefined values are
 * left out. Refused before anything is sent: a CR, LF or NUL in a value (it would smuggle
 * in another header), and what Asterisk would silently drop or cut (a line over 1024
 * bytes, more than 128 headers).
 */
export function formatAction(fields: ActionFields): string {
  let text = "";
  let headers = 0;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new AmiActionError(`invalid AMI header name ${JSON.stringify(key)}`);
    for (const one of Array.isArray(value) ? value : [value]) {
      const line = `${key}: ${String(one)}`;
      if (/[\r\n\0]/.test(line)) throw new AmiActionError(`the value of ${key} contains a line break: refused`);
      if (encoder.encode(line).length > MAX_ACTION_LINE_BYTES) throw new AmiActionError(`the ${key} line is longer than Asterisk reads (${MAX_ACTION_LINE_BYTES + 2} bytes)`);
      if (++headers > MAX_ACTION_HEADERS) throw new AmiActionError(`more than ${MAX_ACTION_HEADERS} headers: Asterisk would ignore the rest`);
      text += `${line}\r\n`;
    }
  }
  return `${text}\r\n`;
}
