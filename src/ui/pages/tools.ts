import { html } from "hono/html";
import { SIMULATED_RESULTS } from "../../agi/simulator.ts";
import type { AppDeps } from "../../http/deps.ts";
import type { Decision } from "../../smart/decide.ts";
import { dateTime } from "../format.ts";
import type { SimulationInput, SimulationReport } from "../simulation.ts";
import { configStatus, healthSections } from "./status.ts";

export interface SmartTestInput {
  enterprise: string;
  phone: string;
  line: string;
  loadDialPlan: boolean;
}

export interface ToolResults {
  smart?: { input: SmartTestInput; decision?: Decision; error?: string };
  simulation?: { input: SimulationInput; report?: SimulationReport; error?: string };
}

const csrfField = (csrf: string) => html`<input type="hidden" name="_csrf" value="${csrf}">`;

function smartSection(deps: AppDeps, csrf: string, result: ToolResults["smart"]) {
  const enterprises = deps.snapshot().config.smart?.enterprises ?? {};
  const ids = Object.keys(enterprises);
  if (!ids.length) return html`<p class="muted">Smart Redirect has no enterprises in the config (<code>smart.enterprises</code>).</p>`;
  const input = result?.input ?? { enterprise: ids[0]!, phone: "", line: "", loadDialPlan: true };
  const lines = [...new Set(ids.flatMap((id) => Object.keys(enterprises[id]?.lines ?? {})))];
  const form = html`<form method="post" action="/ui/tools/smart-test" class="filters">${csrfField(csrf)}
<div class="field"><label for="st-enterprise">Enterprise</label><select id="st-enterprise" name="enterprise">${ids.map((id) => html`<option value="${id}"${id === input.enterprise ? html` selected` : ""}>${id}</option>`)}</select></div>
<div class="field"><label for="st-phone">Caller's number</label><input id="st-phone" name="phone" inputmode="tel" required value="${input.phone}"></div>
<div class="field"><label for="st-line">Line (TrunkId)</label><input id="st-line" name="line" required list="st-lines" value="${input.line}"><datalist id="st-lines">${lines.map((l) => html`<option value="${l}"></option>`)}</datalist></div>
<div class="check"><input id="st-load" name="load_dial_plan" type="checkbox" value="true"${input.loadDialPlan ? html` checked` : ""}><label for="st-load">Ask for the routing (LoadDialPlan)</label></div>
<button type="submit">Run the test call</button></form>`;
  let out: unknown = "";
  if (result?.error) out = html`<p class="error" role="alert">${result.error}</p>`;
  else if (result?.decision) {
    const d = result.decision;
    out = html`<div id="smart-result" class="card" role="region" aria-label="Test call result" tabindex="-1" data-focus>
<p>The PBX would get <code>{"Name": ${JSON.stringify(d.name)}, "DialPlan": ${JSON.stringify(d.dialPlan)}}</code></p>
<p><b>${d.outcome}</b>${d.rule ? html` by rule <code>${d.rule}</code>` : ""}: ${d.reason}</p>
<p class="muted">mode ${d.mode}; number ${d.phone ?? "not understood"}; ${d.latencyMs.toFixed(1)} ms; nothing cached or logged</p>
${d.steps.length ? html`<h3>Step by step</h3><ol>${d.steps.map((s) => html`<li><b>${s.rule}</b>: ${s.result}</li>`)}</ol>` : ""}
</div>`;
  }
  return html`${form}${out}`;
}

function simulationSection(deps: AppDeps, csrf: string, result: ToolResults["simulation"]) {
  const input = result?.input ?? { did: Object.keys(deps.snapshot().config.dids ?? {})[0] ?? "", caller: "+66812345678", press: "1", result: "answer" };
  const dids = Object.keys(deps.snapshot().config.dids ?? {});
  const form = html`<form method="post" action="/ui/tools/simulate" class="filters">${csrfField(csrf)}
<div class="field"><label for="sim-did">DID</label><input id="sim-did" name="did" required list="sim-dids" value="${input.did}"><datalist id="sim-dids">${dids.map((d) => html`<option value="${d}"></option>`)}</datalist></div>
<div class="field"><label for="sim-caller">Caller</label><input id="sim-caller" name="caller" inputmode="tel" value="${input.caller}"></div>
<div class="field"><label for="sim-press">Keys</label><input id="sim-press" name="press" value="${input.press}" aria-describedby="sim-press-hint"><small id="sim-press-hint" class="muted">0-9 * #; "," lets a timeout pass, "h" hangs up</small></div>
<div class="field"><label for="sim-result">Then</label><select id="sim-result" name="result">${SIMULATED_RESULTS.map((r) => html`<option value="${r}"${r === input.result ? html` selected` : ""}>${r}</option>`)}</select></div>
<button type="submit">Simulate</button></form>`;
  let out: unknown = "";
  if (result?.error) out = html`<p class="error" role="alert">${result.error}</p>`;
  else if (result?.report) {
    const r = result.report;
    out = html`<div id="simulation-result" role="region" aria-label="Simulation result" tabindex="-1" data-focus>
<p>${r.header}</p>
<pre class="conversation">${r.lines.join("\n")}</pre>
<p><b class="${r.failed ? "bad" : "ok"}">${r.outcome}</b></p>
${r.log.length ? html`<pre class="conversation">${r.log.join("\n")}</pre>` : ""}</div>`;
  }
  return html`${form}${out}`;
}

export function toolsPage(deps: AppDeps, csrf: string, results: ToolResults = {}) {
  return html`<section class="card" aria-labelledby="smart-h"><h2 id="smart-h">Smart Redirect test call</h2>
<p class="muted">The decision the PBX would get for this caller on this line, explained step by step (POST /api/smart/test).</p>
${smartSection(deps, csrf, results.smart)}</section>
<section class="card" aria-labelledby="sim-h"><h2 id="sim-h">IVR simulation</h2>
<p class="muted">The real IVR with the config in force, over a simulated channel: what <code>ivr simulate</code> prints. Nothing is dialed or recorded.</p>
${simulationSection(deps, csrf, results.simulation)}</section>
${configStatus(deps)}
${healthSections(deps)}
<p class="muted">As of ${dateTime(Date.now())}.</p>`;
}
