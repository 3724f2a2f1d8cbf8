import { describe, expect, test } from "bun:test";
import { insertCall } from "../../src/history/record.ts";
import { callRow } from "../helpers/history.ts";
import { ADMIN, TOKEN, testApp } from "../helpers/http-app.ts";

/** Every route the app serves (src/http/routes/*.ts), with the parameters it reads. */
const ENDPOINTS = [
  { method: "GET", path: "/health", query: [] },
  { method: "GET", path: "/metrics", query: [] },
  { method: "GET", path: "/api/calls", query: ["limit", "before", "status", "phone", "did"] },
  { method: "GET", path: "/api/calls/:id", query: [] },
  { method: "GET", path: "/api/stats", query: ["since", "until"] },
  { method: "GET", path: "/api/calls/active", query: [] },
  { method: "GET", path: "/api/events", query: ["last_event_id"] },
  { method: "POST", path: "/api/callevent/getcustomerdata", query: [] },
  { method: "POST", path: "/api/smart/test", query: [] },
  { method: "POST", path: "/api/smart/cache/clear", query: [] },
] as const;

/** Values that have broken parsers before: huge and odd numbers, wrong types, bytes that are not UTF-8. */
const VALUES = [
  "",
  "0",
  "-1",
  "1.5",
  "1e400",
  "99999999999999999",
  "99999999999999999999999999",
  "-99999999999999999",
  "9007199254740993",
  "8640000000000001",
  "NaN",
  "Infinity",
  "null",
  "[]",
  "{}",
  "true",
  "%00",
  "%FF%FE",
  "%C3%28",
  "x".repeat(5000),
  "%E2%80%A8",
  "1970-01-01T00:00:00Z",
  "+275760-09-13T00:00:00.001Z",
  "-271821-04-20T00:00:00Z",
  "2026-02-30",
  "+++",
  "0x10",
  " 5 ",
];

const BODIES: Array<string | Uint8Array> = [
  "",
  "null",
  "[]",
  "[1,2]",
  "0",
  "12345678901234567890",
  '"a string"',
  "true",
  "{}",
  '{"enterprise":null,"phone":null,"line":null}',
  '{"enterprise":["0367"],"phone":{"a":1},"line":[]}',
  '{"enterprise":"0367","phone":1e400,"line":99999999999999999999}',
  '{"enterprise":"0367","phone":"+375291234567","line":"0001363","load_dial_plan":"no"}',
  '{"enterprise":"0367","phone":"+375291234567","line":"0001363","load_dial_plan":false}',
  '{"UniqueId":null,"Phone":["1"],"TrunkId":{},"LoadDialPlan":[]}',
  '{"Phone":"\\u0000\\u2028","TrunkId":"\\ud800"}',
  '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}',
  "Phone=%FF&TrunkId=%C3%28",
  "Phone=&TrunkId=&LoadDialPlan=maybe",
  "{",
  new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), // {"<invalid UTF-8>":1}
  new Uint8Array([0xc3, 0x28, 0xa0, 0xa1]),
];

const HEADER_SETS: Array<Record<string, string>> = [{ Authorization: `Bearer ${ADMIN}`, Token: TOKEN }, { Authorization: `Bearer ${ADMIN}`, Token: TOKEN, "Content-Type": "application/json" }];

function withCalls() {
  const t = testApp();
  insertCall(t.history, callRow({ externalNumber: "+375291234567", status: "answered", did: "0212345678", talkSeconds: 60 }));
  return t;
}

async function expectNo5xx(t: ReturnType<typeof testApp>, url: string, init: RequestInit) {
  const response = await t.app.request(url, init);
  const body = await response.text();
  // 503 is how the live endpoints say AMI tracking is off (this app has none); 500 is a bug.
  if (response.status >= 500 && response.status !== 503) throw new Error(`${init.method ?? "GET"} ${url} -> ${response.status} ${body}\n${t.log()}`);
  if (response.status >= 400 && response.status !== 404) expect(JSON.parse(body).error).toBeString();
}

describe("no input makes an endpoint answer 500", () => {
  test("GET /api/stats?since=99999999999999999 and POST /api/smart/test with null: 400 with a reason", async () => {
    const t = withCalls();
    const auth = { Authorization: `Bearer ${ADMIN}` };
    const stats = await t.app.request("/api/stats?since=99999999999999999", { headers: auth });
    expect(stats.status).toBe(400);
    expect(((await stats.json()) as { error: string }).error).toContain("since");
    const smart = await t.app.request("/api/smart/test", { method: "POST", headers: auth, body: "null" });
    expect(smart.status).toBe(400);
    expect(((await smart.json()) as { error: string }).error).toBe("the body must be a JSON object");
  });

  for (const endpoint of ENDPOINTS) {
    test(`${endpoint.method} ${endpoint.path}: every query value and body shape`, async () => {
      const paths = endpoint.path.includes(":id") ? VALUES.map((v) => endpoint.path.replace(":id", encodeURIComponent(v) || "x")).concat(["/api/calls/1"]) : [endpoint.path];
      const queries = endpoint.query.length ? endpoint.query.flatMap((name) => VALUES.map((v) => `?${name}=${v}`)) : ["", "?x=%FF"];
      let t = withCalls();
      for (const path of paths) {
        for (const headers of HEADER_SETS) {
          for (const query of queries) {
            if (endpoint.method === "GET") {
              await expectNo5xx(t, `${path}${query}`, { headers });
            } else {
              // A fresh app per round, so getcustomerdata's rate limit (a burst of 40) lets every body through.
              t = withCalls();
              for (const body of BODIES) await expectNo5xx(t, `${path}${query}`, { method: "POST", headers, body });
            }
          }
        }
      }
    });
  }
});
