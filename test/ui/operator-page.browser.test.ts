import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { compiledBinary } from "../helpers/binary.ts";
import { FakeAmi } from "../helpers/fake-ami.ts";
import { ADMIN, ENV, SMART_CONFIG } from "../helpers/http-app.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { indexOf } from "../helpers/tracking.ts";
import { waitFor } from "../helpers/wait.ts";
import { CuttableProxy } from "./proxy.ts";

/**
 * The operator page in a real browser (Debian's chromium, driven by playwright-core) against
 * the compiled binary, which follows a fake Asterisk over AMI: what an operator does, in
 * order. Screenshots of every page go to a temporary directory printed below; with
 * IVR_UI_SCREENSHOT=<file> the live page is also saved there (docs/operator-page.png).
 */
const CHROMIUM = "/usr/bin/chromium";
const PATH = process.env.PATH ?? "/usr/bin:/bin";
const fake = new FakeAmi({ secret: "browser-ami-secret" });
const dir = mkdtempSync(join(tmpdir(), "ivr-ui-browser-"));
const shots = mkdtempSync(join(tmpdir(), "ivr-ui-screenshots-"));
const config = join(dir, "ivr.yaml");
const configText = `${readFileSync(SMART_CONFIG, "utf8")}
ami:
  host: 127.0.0.1
  port: PORT
  username: ivr
  secret: \${AMI_SECRET}
  trunk_pattern: ^Local/\\d+@probe-|^Local/10001@queue-in-
`;
let serve: Bun.Subprocess<"ignore", "ignore", "pipe">;
let httpPort = 0;
let proxy: CuttableProxy;
let browser: Browser;
let page: Page;
const logLines: string[] = [];
/** The queue call of the recordings: +66800000099 waits in queue 10001, member 100 (Agent) answers. */
const queueCall = amiEvents("queue-call");
const ringing = indexOf(queueCall, "DialBegin", { Uniqueid: "ami-queue-b" }) + 1;
const talking = indexOf(queueCall, "BridgeEnter", { Uniqueid: "ami-queue-b" }) + 1;

const url = (path: string) => `http://127.0.0.1:${proxy.port}${path}`;
const shot = async (name: string) => {
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
};
/** Polls the page (the page's CSP allows no evaluated strings, so no waitForFunction). */
async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}
/** Asks ivr serve directly (not through the browser's proxy), as an API client. */
const api = async (path: string) => (await fetch(`http://127.0.0.1:${httpPort}${path}`, { headers: { Authorization: `Bearer ${ADMIN}` } })).json() as Promise<Record<string, any>>;

beforeAll(async () => {
  const binary = await compiledBinary();
  fake.start();
  writeFileSync(config, configText.replace("PORT", String(fake.port)));
  serve = Bun.spawn([binary, "serve", "--config", config, "--db", join(dir, "ivr.sqlite"), "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
    env: { PATH, ...ENV, AMI_SECRET: "browser-ami-secret" },
    stdout: "ignore",
    stderr: "pipe",
  });
  const log = LineReader.fromStream(serve.stderr);
  while (!httpPort) {
    const line = await log.next(15_000, "ivr serve to listen");
    if (line === undefined) throw new Error(`ivr serve exited:\n${logLines.join("\n")}`);
    logLines.push(line);
    httpPort = Number(/HTTP API listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? 0);
  }
  void (async () => {
    for (;;) {
      const line = await log.next(3_600_000, "more log").catch(() => undefined);
      if (line === undefined) return;
      logLines.push(line);
    }
  })();
  await waitFor(() => fake.loggedIn === 1, "ivr serve to log in to the fake Asterisk", 15_000);
  proxy = await new CuttableProxy(httpPort).start();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  console.log(`operator page screenshots: ${shots}`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  proxy?.stop();
  serve?.kill("SIGTERM");
  await serve?.exited;
  fake.stop();
});

describe("the operator page in a browser, against the compiled binary and a fake Asterisk", () => {
  test("sign in: a wrong token is refused, the right one opens the live page", async () => {
    await page.goto(url("/ui"));
    expect(new URL(page.url()).pathname).toBe("/ui/sign-in");
    await shot("1-sign-in");
    await page.getByLabel("Admin token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("That is not the admin token.").waitFor();
    await page.getByLabel("Admin token").fill(ADMIN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Live calls" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/ui");
    await page.locator("#live-status", { hasText: "Live" }).waitFor();
    expect(await page.locator("#live-calls").innerText()).toBe("No calls in progress.");
  });

  test("a call appears live while the fake Asterisk places it: in the queue, then talking, with a ticking duration", async () => {
    fake.play(queueCall.slice(0, ringing));
    const card = page.locator("#live-calls li[data-call]");
    await card.filter({ hasText: "In queue 10001" }).waitFor();
    expect(await card.innerText()).toContain("+66800000099");
    const queueRow = page.locator("#live-queues tbody tr");
    expect(await queueRow.locator("th").innerText()).toBe("10001");
    expect(await queueRow.locator("td").first().innerText()).toBe("1");
    expect(await page.locator("#announcer").innerText()).toStartWith("New inbound call");

    fake.play(queueCall.slice(ringing, talking));
    await card.filter({ hasText: "Talking with" }).waitFor();
    expect(await card.innerText()).toContain("Talking with 100");
    expect(await page.locator("#live-queues tbody").innerText()).toContain("Nobody is waiting in a queue.");
    const first = await card.locator("time").first().innerText();
    await until(async () => (await card.locator("time").first().innerText()) !== first, "the duration to tick");
    await shot("2-live");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("2-live-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test("the connection drops while the call ends: the page resumes with Last-Event-ID and misses nothing", async () => {
    proxy.cut();
    await page.locator("#live-status", { hasText: "Reconnecting" }).waitFor();
    await waitFor(() => proxy.waiting > 0, "the browser to reconnect", 10_000);
    fake.play(queueCall.slice(talking));
    await until(async () => ((await api("/api/calls/active")).calls as unknown[]).length === 0, "the call to end on the server");
    proxy.resume();
    await page.locator("#live-calls", { hasText: "No calls in progress." }).waitFor();
    await page.locator("#live-status", { hasText: "Live" }).waitFor();
    const reconnect = proxy.requests.filter((r) => r.startsWith("GET /api/events")).at(-1)!;
    expect(reconnect).toMatch(/\r\nlast-event-id: \d+\r\n/i);
    expect(await page.locator("#announcer").innerText()).toContain("ended: answered");
  });

  test("find the call in the history by the number in another spelling, and open its timeline", async () => {
    await page.getByRole("link", { name: "History" }).click();
    await page.getByLabel("Phone").fill("66800000099");
    await page.getByRole("button", { name: "Search" }).click();
    const rows = page.locator("table tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain("answered");
    expect(await page.locator("button[data-call-to]").count()).toBe(0); // this config has no outbound: section
    await shot("3-history");
    await rows.first().getByRole("link").click();
    await page.getByRole("heading", { name: "Timeline" }).waitFor();
    const timeline = await page.locator("ol.timeline").innerText();
    for (const step of ["Call started (inbound)", "Joined queue 10001", "Ringing", "Answered by 100", "Call ended: answered"]) expect(timeline).toContain(step);
    expect(await page.locator("dl.facts").innerText()).toContain("+66800000099");
    await shot("4-call");
  });

  test("statistics: charts with their tables", async () => {
    await page.getByRole("link", { name: "Statistics" }).click();
    await page.getByRole("img", { name: /Calls per hour/ }).waitFor();
    expect(await page.locator(".kpis").innerText()).toMatch(/Calls\s+1\b/);
    expect(await page.locator("#did-h + .table-wrap").innerText()).toContain("10001");
    await shot("5-stats");
  });

  test("tools: the Smart Redirect test call step by step, and an IVR simulation", async () => {
    await page.getByRole("link", { name: "Tools" }).click();
    await page.getByLabel("Caller's number").fill("80291234567");
    await page.getByLabel("Line (TrunkId)").fill("0001363");
    await page.getByRole("button", { name: "Run the test call" }).click();
    const result = page.locator("#smart-result");
    await result.waitFor();
    expect(await result.innerText()).toContain("Step by step");
    expect(await result.innerText()).toContain("nothing cached or logged");
    await page.getByLabel("DID").fill("0212345678");
    await page.getByLabel("Keys").fill("1");
    await page.getByRole("button", { name: "Simulate" }).click();
    await page.locator("#simulation-result").waitFor();
    expect(await page.locator("#simulation-result").innerText()).toContain("Outcome: answered, queue 10001");
    expect(await page.locator("#ami-h + dl").innerText()).toContain("connected");
    await shot("6-tools");
  });

  test("a bad edit of the config shows on the tools page with file:line:col; the config in force stays", async () => {
    const lines = configText.split("\n");
    const line = lines.findIndex((l) => l.includes("dial_timeout_seconds: 20")) + 1;
    writeFileSync(config, configText.replace("PORT", String(fake.port)).replace("dial_timeout_seconds: 20", "dial_timeout_seconds: soon"));
    const errors = page.locator("#config-errors");
    await until(async () => {
      await page.goto(url("/ui/tools"));
      return (await errors.count()) > 0;
    }, "the config error on the tools page");
    const text = await errors.innerText();
    expect(text).toContain(`${config}:${line}:25: default.dial_timeout_seconds:`);
    expect(text).toContain("generation 1 stays in force");
    await shot("7-config-error");
    writeFileSync(config, configText.replace("PORT", String(fake.port)));
  });

  test("several calls at once: one waiting in a queue while an agent rings, one talking with a manager", async () => {
    const events = amiEvents("ivr-queue-and-dial");
    const first = indexOf(events, "Newchannel", { Uniqueid: "1795264199.46" });
    const agentRinging = indexOf(events, "DialBegin", { Uniqueid: "1795264199.47" }) + 1;
    const second = indexOf(events, "Newchannel", { Uniqueid: "1795264200.50" });
    const secondTalking = indexOf(events, "BridgeEnter", { Uniqueid: "1795264200.51" }) + 1;
    await page.getByRole("link", { name: "Live" }).click();
    await page.locator("#live-status", { hasText: "Live" }).waitFor();
    fake.play([...events.slice(first, agentRinging), ...events.slice(second, secondTalking)]);
    const cards = page.locator("#live-calls li[data-call]");
    await cards.filter({ hasText: "Talking with Olga Sidorova (1001)" }).waitFor();
    await cards.filter({ hasText: "In queue 10003-vars" }).waitFor();
    expect(await cards.count()).toBe(2);
    expect(await page.locator("#live-queues tbody tr").innerText()).toMatch(/^10003-vars\s+1\s+0:\d\d$/);
    expect(await page.locator("#live-count").innerText()).toBe("2");
    await until(async () => (await page.locator("#live-queues time").innerText()) !== "0:00", "the wait to tick");
    const live = await shot("8-live-calls");
    if (process.env.IVR_UI_SCREENSHOT) copyFileSync(live, process.env.IVR_UI_SCREENSHOT);
  });

  test("sign out: the session ends, the pages ask for the token again", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Admin token").waitFor();
    await page.goto(url("/ui/history"));
    expect(new URL(page.url()).pathname).toBe("/ui/sign-in");
    expect(logLines.join("\n")).not.toContain(ADMIN);
  });
});
