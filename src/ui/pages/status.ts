import { html } from "hono/html";
import type { AppDeps } from "../../http/deps.ts";
import { dateTime } from "../format.ts";

const iso = (value: string | null | undefined) => (value ? dateTime(Date.parse(value)) : "–");

/** The config in force and the last reload: a broken edit shows here with file:line:col until it is fixed. */
export function configStatus(deps: AppDeps) {
  const { path, generation, loadedAt } = deps.snapshot();
  const reload = deps.configReload?.();
  const last = !reload
    ? html`<p>No reload since ivr serve started.</p>`
    : reload.ok
      ? html`<p>Last reload: <span class="ok">read without errors</span> at ${dateTime(reload.at.getTime())}.</p>`
      : html`<div class="error" role="alert" id="config-errors"><p><b>The last edit of the config was not loaded</b> (${dateTime(reload.at.getTime())}); generation ${generation} stays in force until the file reads without errors:</p>
<ul>${reload.errors.map((line) => html`<li><code>${line}</code></li>`)}</ul></div>`;
  return html`<section class="card" aria-labelledby="config-h"><h2 id="config-h">Config</h2>
<dl class="facts"><dt>File</dt><dd><code>${path}</code></dd><dt>Generation</dt><dd>${generation}</dd><dt>Loaded</dt><dd>${dateTime(loadedAt.getTime())}</dd></dl>
${last}</section>`;
}

/** AMI, the history's writes, FastAGI and Smart Redirect: what /health says, for people. */
export function healthSections(deps: AppDeps) {
  const ami = deps.tracking?.health();
  const writes = deps.historyWrites?.();
  const enterprises = Object.entries(deps.snapshot().config.smart?.enterprises ?? {});
  const amiBody = !ami
    ? html`<p>Off: the config has no <code>ami:</code> section.</p>`
    : html`<dl class="facts"><dt>State</dt><dd class="${ami.state === "connected" ? "ok" : "bad"}">${ami.state}${ami.auth_failed ? " (login refused: check ami.secret)" : ""}</dd>
<dt>Asterisk</dt><dd>${ami.target}</dd><dt>Connected since</dt><dd>${iso(ami.connected_since)}</dd><dt>Last event</dt><dd>${iso(ami.last_event_at)}</dd>
<dt>Reconnects</dt><dd>${ami.reconnects}</dd><dt>Gaps</dt><dd>${ami.gaps}${ami.last_gap_at ? ` (last ${iso(ami.last_gap_at)})` : ""}</dd><dt>Calls in progress</dt><dd>${ami.active_calls}</dd>
${ami.last_error ? html`<dt>Last error</dt><dd>${ami.last_error}</dd>` : ""}${ami.resync_error ? html`<dt>Resync</dt><dd class="bad">${ami.resync_error}</dd>` : ""}</dl>`;
  const writesBody = writes
    ? html`<dl class="facts"><dt>File</dt><dd><code>${deps.history.path}</code></dd><dt>Writes</dt><dd class="${writes.state === "ok" ? "ok" : "bad"}">${writes.state}</dd>
<dt>Spooled / lost</dt><dd>${writes.spooledRecords} / ${writes.lostRecords}</dd><dt>Waiting in the spool</dt><dd>${writes.spooledFiles}</dd>
${writes.lastError ? html`<dt>Last error</dt><dd>${dateTime(writes.lastError.at)}: ${writes.lastError.message}</dd>` : ""}</dl>`
    : html`<dl class="facts"><dt>File</dt><dd><code>${deps.history.path}</code></dd></dl>`;
  return html`<div class="grid">
<section class="card" aria-labelledby="ami-h"><h2 id="ami-h">AMI</h2>${amiBody}</section>
<section class="card" aria-labelledby="db-h"><h2 id="db-h">Call history</h2>${writesBody}<p>FastAGI sessions now: ${deps.fastagiSessions?.() ?? 0}</p></section>
<section class="card" aria-labelledby="int-h"><h2 id="int-h">Smart Redirect</h2>${
    enterprises.length
      ? html`<ul>${enterprises.map(([id, e]) => html`<li>Enterprise <b>${id}</b>: mode ${e.mode ?? "routing+name"}, ${Object.keys(e.lines ?? {}).length} lines, ${(e.users ?? []).length} users</li>`)}</ul>`
      : html`<p>No enterprises configured.</p>`
  }</section>
</div>`;
}
