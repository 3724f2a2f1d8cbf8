import { expect, test } from "bun:test";
import { extensionOf } from "../../src/history/extension.ts";
import { normalizePhone } from "../../src/history/phone.ts";

test.each([
  ["80291234567", "BY", "+375291234567"],
  ["+375291234567", "BY", "+375291234567"],
  ["375291234567", "BY", "+375291234567"],
  ["8 (029) 123-45-67", "BY", "+375291234567"],
  ["89161234567", "RU", "+79161234567"],
  ["0812345678", "TH", "+66812345678"],
  ["+66812345678", undefined, "+66812345678"],
  ["66812345678", undefined, "+66812345678"],
])("%s in %s -> %s", (raw, country, expected) => {
  expect(normalizePhone(raw, country)).toBe(expected);
});

test.each([["unknown"], ["anonymous"], [""], ["150"], ["*21#"]])("%j is not an outside number", (raw) => {
  expect(normalizePhone(raw, "BY")).toBeUndefined();
});

test.each([
  ["101", "101"],
  ["101@internal/n", "101"],
  ["PJSIP/101", "101"],
  ["PJSIP/101-0000001a", "101"],
  ["Local/300@agents/n", "300"],
  ["SIP/trunk-out", undefined],
  [undefined, undefined],
  ["", undefined],
])("who answered %j -> extension %j", (answeredBy, expected) => {
  expect(extensionOf(answeredBy)).toBe(expected);
});
