/** IPv4, IPv6 and CIDR ranges as 128-bit numbers; IPv4-mapped IPv6 (::ffff:1.2.3.4) counts as IPv4. */
interface Address {
  v4: boolean;
  value: bigint;
}

function parseV4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function parseV6(text: string): bigint | undefined {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    tailV4 = parseV4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const all = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  let value = all.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

export function parseAddress(text: string): Address | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { v4: true, value: v4 };
  const v6 = parseV6(text);
  if (v6 === undefined) return undefined;
  // ::ffff:a.b.c.d is how a dual-stack socket shows an IPv4 client.
  if (v6 >> 32n === 0xffffn) return { v4: true, value: v6 & 0xffffffffn };
  return { v4: false, value: v6 };
}

/** Whether `ip` is inside `cidr` ("10.0.0.0/8", "2001:db8::/32", or one address). */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base = "", prefixText] = cidr.split("/");
  const network = parseAddress(base);
  const address = parseAddress(ip);
  if (!network || !address || network.v4 !== address.v4) return false;
  const bits = network.v4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return false;
  const shift = BigInt(bits - prefix);
  return network.value >> shift === address.value >> shift;
}

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy (nginx in front,
 * as the seed ran it); then the right-most X-Forwarded-For address that is not itself a
 * trusted proxy. Anything a client writes further left could be forged.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trustedProxies: readonly string[]): string | undefined {
  const trusted = (ip: string) => trustedProxies.some((cidr) => cidrContains(cidr, ip));
  if (!peer || !forwardedFor || !trusted(peer)) return peer;
  const hops = forwardedFor.split(",").map((hop) => hop.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) if (!trusted(hops[i]!)) return hops[i];
  return hops[0] ?? peer;
}
