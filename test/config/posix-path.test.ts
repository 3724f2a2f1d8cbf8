import { expect, test } from "bun:test";
import { posix } from "node:path";
import { dirname, inDirectory, isAbsolute, resolve } from "../../src/config/posix-path.ts";

const PATHS = ["/", "/etc", "/etc/", "/etc/ivr.yaml", "/etc//asterisk///ivr.yaml", "ivr.yaml", "./ivr.yaml", "../ivr.yaml", "a/b/../c", "a/./b/", "/a/../../b", "..", ".", "", "//x"];

test("isAbsolute, resolve and dirname give what node:path gives", () => {
  for (const path of PATHS) {
    expect(isAbsolute(path)).toBe(posix.isAbsolute(path));
    expect(resolve(path)).toBe(posix.resolve(path));
    expect(dirname(path)).toBe(posix.dirname(path));
    expect(resolve("/etc/asterisk", path)).toBe(posix.resolve("/etc/asterisk", path));
    expect(resolve(posix.dirname("/etc/asterisk/ivr.yaml"), path)).toBe(posix.resolve("/etc/asterisk", path));
  }
  expect(resolve("/a", "", "b", "/c", "d/..", "e")).toBe(posix.resolve("/a", "", "b", "/c", "d/..", "e"));
});

test("a file in a directory, with or without the directory's trailing slash", () => {
  expect(inDirectory("/tmp", "ivr-cache-0")).toBe("/tmp/ivr-cache-0");
  expect(inDirectory("/tmp/", "x.json")).toBe("/tmp/x.json");
  expect(inDirectory("/", "x")).toBe("/x");
  expect(inDirectory("cache", "x")).toBe(posix.join("cache", "x"));
});
