import { html } from "hono/html";
import { listCalls } from "../../history/queries.ts";
import type { AppDeps } from "../../http/deps.ts";
import { liveCallJson } from "../../tracking/json.ts";
import type { UserLookup } from "../../tracking/store.ts";
import { historyNames } from "../call-queries.ts";
import { dateTime } from "../format.ts";
import { jsonScript } from "../layout.ts";
import { callTable } from "./call-table.ts";

export const RECENT_CALLS = 10;

/** The last calls recorded, refreshed in place by the script (GET /ui/recent). */
export function recentCalls(deps: AppDeps, ownerOf: (extension: string) => string | undefined, clickToCall: boolean) {
  return callTable(listCalls(deps.history, { limit: RECENT_CALLS }), { caption: `The last ${RECENT_CALLS} calls recorded`, ownerOf, clickToCall });
}

/**
 * Calls in progress and queues, from AMI: the page starts from the calls as they are now
 * (embedded, with the id of the last event) and follows /api/events from there. Without
 * AMI, what the IVR knows: calls in the IVR now and the last calls recorded.
 */
export function livePage(deps: AppDeps, userFor: UserLookup, ownerOf: (extension: string) => string | undefined, clickToCall: boolean) {
  const recent = html`<section aria-labelledby="recent-h"><h2 id="recent-h">Recent calls</h2>
<div data-refresh="/ui/recent" data-every="15">${recentCalls(deps, ownerOf, clickToCall)}</div></section>`;
  const tracking = deps.tracking;
  if (!tracking) {
    return html`<p class="notice">Call tracking over AMI is off (the config has no <code>ami:</code> section), so only the IVR's own calls are seen:
they appear below once they end. <code>ivr ami --manager-conf</code> prints the manager.conf user to add; see docs/ami.md.</p>
<p>Calls in the IVR now: <b>${deps.fastagiSessions?.() ?? 0}</b> <span class="muted">(FastAGI sessions of ivr serve; per-call agi-bin processes are not counted)</span></p>
${recent}`;
  }
  const config = deps.snapshot().config;
  const calls = tracking.activeCalls().map((call) => liveCallJson(call, config, userFor));
  const health = tracking.health();
  const data = {
    calls,
    lastEventId: tracking.feed.lastId,
    names: historyNames(deps.history, [...new Set(calls.map((c) => c.external_number).filter((n): n is string => !!n))]),
    serverNow: Date.now(),
  };
  const amiLine =
    health.state === "connected"
      ? html`AMI connected to ${health.target} since ${dateTime(Date.parse(health.connected_since ?? ""))}.`
      : html`<span class="bad">AMI ${health.state}</span> (${health.target})${health.last_error ? html`: ${health.last_error}` : ""}. Calls shown may be out of date until it reconnects.`;
  return html`<p id="live-status" role="status">Connecting…</p>
<p class="muted">${amiLine}</p>
<noscript><p class="notice">The live view needs JavaScript; the recent calls below are as of this page's load.</p></noscript>
<section aria-labelledby="calls-h"><h2 id="calls-h">Calls in progress (<span id="live-count">${calls.length}</span>)</h2>
<ul id="live-calls" class="calls" aria-describedby="live-status"></ul></section>
<section aria-labelledby="queues-h"><h2 id="queues-h">Queues</h2>
<div class="table-wrap" id="live-queues"><table><caption class="sr-only">Callers waiting in each queue</caption>
<thead><tr><th scope="col">Queue</th><th scope="col" class="num">Waiting</th><th scope="col" class="num">Longest wait</th></tr></thead><tbody></tbody></table></div></section>
${recent}
${jsonScript("live-data", data)}`;
}
