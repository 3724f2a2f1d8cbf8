import { expect, test } from "bun:test";
import { cidrContains, clientAddress } from "../../src/http/ip.ts";
import { RateLimiter } from "../../src/http/rate-limit.ts";

test.each([
  ["10.88.10.19/32", "10.88.10.19", true],
  ["10.88.10.19/32", "10.88.10.20", false],
  ["10.0.0.0/8", "10.255.1.2", true],
  ["10.0.0.0/8", "11.0.0.1", false],
  ["0.0.0.0/0", "192.0.2.1", true],
  ["127.0.0.1", "127.0.0.1", true],
  ["127.0.0.1/32", "::ffff:127.0.0.1", true], // how a dual-stack socket shows an IPv4 client
  ["::1/128", "::1", true],
  ["2001:db8::/32", "2001:db8:1::5", true],
  ["2001:db8::/32", "2001:db9::5", false],
  ["10.0.0.0/8", "::1", false],
  ["10.0.0.0/8", "not an address", false],
] as const)("%s contains %s: %s", (cidr, ip, expected) => {
  expect(cidrContains(cidr, ip)).toBe(expected);
});

test("X-Forwarded-For is believed only from a trusted proxy, and only its right-most untrusted hop", () => {
  const trusted = ["127.0.0.1/32"];
  expect(clientAddress("10.0.0.5", "1.2.3.4", trusted)).toBe("10.0.0.5");
  expect(clientAddress("127.0.0.1", "1.2.3.4", trusted)).toBe("1.2.3.4");
  expect(clientAddress("127.0.0.1", "6.6.6.6, 10.88.10.19", trusted)).toBe("10.88.10.19");
  expect(clientAddress("127.0.0.1", undefined, trusted)).toBe("127.0.0.1");
});

test("token bucket: a burst, then the sustained rate", () => {
  let now = 0;
  const limiter = new RateLimiter(() => now);
  const burst = Array.from({ length: 5 }, () => limiter.allow("k", 2, 4));
  expect(burst).toEqual([true, true, true, true, false]);
  now += 500; // half a second at 2/s: one more
  expect(limiter.allow("k", 2, 4)).toBe(true);
  expect(limiter.allow("k", 2, 4)).toBe(false);
  expect(limiter.allow("other", 2, 4)).toBe(true);
});
