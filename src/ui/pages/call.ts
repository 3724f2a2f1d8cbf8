import { html } from "hono/html";
import type { History } from "../../history/db.ts";
import type { CallLegRow, CallRow, CallTransferRow, DecisionRow } from "../../history/schema.ts";
import { legsOf, timeline, transfersOf } from "../../tracking/timeline.ts";
import { decisionsOf } from "../call-queries.ts";
import { dateTime, duration, statusWords } from "../format.ts";
import { answeredBy, ivrRoute, partyOf } from "./call-table.ts";

type Entry = { at: number; text: string; detail?: string };

const s = (value: unknown) => (value === null || value === undefined || value === "" ? undefined : String(value));

/** A timeline entry of tracking/timeline.ts in words. */
function describeEntry(entry: Record<string, unknown>): { text: string; detail?: string } | undefined {
  const who = s(entry.member) ?? s(entry.leg) ?? "";
  switch (entry.event) {
    case "call.started":
      return { text: `Call started (${entry.direction})`, detail: [s(entry.external_number) && `from ${entry.external_number}`, s(entry.did) && `to DID ${entry.did}`].filter(Boolean).join(" ") };
    case "queue.joined":
      return { text: `Joined queue ${entry.queue}` };
    case "leg.ringing":
      // The caller's own leg "rings" and "answers" as the call does: said once, by the call's entries.
      if (entry.role === "origin") return undefined;
      return { text: `Ringing ${who}`, detail: s(entry.endpoint) };
    case "leg.answered":
      if (entry.role === "origin") return undefined;
      return { text: `${who} answered`, detail: s(entry.endpoint) };
    case "leg.ended":
      return { text: `${who} left`, detail: [s(entry.dial_status) && `dial status ${entry.dial_status}`, s(entry.hangup_cause) && `cause ${entry.hangup_cause}`].filter(Boolean).join(", ") };
    case "call.answered":
      return { text: `Answered by ${s(entry.answered_extension) ?? s(entry.answered_by) ?? "?"}` };
    case "call.transferred":
      return { text: `${entry.kind} transfer${s(entry.from) ? ` by ${entry.from}` : ""}${s(entry.transferee) ? ` of ${entry.transferee}` : ""}${s(entry.to) ? ` to ${entry.to}` : s(entry.destination) ? ` to ${entry.destination}` : ""}`, detail: s(entry.result) };
    case "call.ended":
      return { text: `Call ended: ${statusWords(String(entry.status))}`, detail: [s(entry.hangup_cause_text), s(entry.hangup_cause) && `cause ${entry.hangup_cause}`].filter(Boolean).join(", ") };
    default:
      return { text: String(entry.event) };
  }
}

const decisionText = (d: DecisionRow) =>
  `Smart Redirect (${d.via}, enterprise ${d.enterprise}): ${d.outcome}${d.dialPlan ? ` → ${d.dialPlan}` : ""}${d.rule ? ` by rule ${d.rule}` : ""}`;

/** Everything known about the call in time order: the recorded timeline, the IVR's keys and route, the Smart Redirect decisions. */
export function callEntries(call: CallRow, legs: CallLegRow[], transfers: CallTransferRow[], decisions: DecisionRow[]): Entry[] {
  const entries: Array<Entry & { rank: number }> = timeline(call, legs, transfers).flatMap((entry, i) => {
    const described = describeEntry(entry);
    return described ? [{ at: Date.parse(String(entry.at)), rank: i, ...described }] : [];
  });
  const route = ivrRoute(call);
  // The IVR records its keys without their times: they were done by the time the call was routed.
  const routedAt = Math.min(...[call.queueJoinedAt, call.ringingAt, call.answeredAt, call.endedAt, ...legs.map((l) => l.ringAt)].filter((t): t is number => t !== null), Number.MAX_SAFE_INTEGER);
  if (call.source === "ivr" && route) entries.push({ at: routedAt === Number.MAX_SAFE_INTEGER ? call.startedAt : routedAt, rank: -1, text: `IVR: ${route}`, detail: s(call.detail) });
  if (call.waitSeconds !== null && call.queue === null && call.routeKind === "queue") entries.push({ at: call.answeredAt ?? call.endedAt ?? call.startedAt, rank: -0.5, text: `Waited ${duration(call.waitSeconds)} in queue ${call.destination}` });
  for (const d of decisions) entries.push({ at: d.at, rank: 0.4, text: decisionText(d), detail: d.reason ?? undefined });
  return entries.sort((a, b) => a.at - b.at || a.rank - b.rank);
}

export function callPage(history: History, call: CallRow, ownerOf: (extension: string) => string | undefined) {
  const legs = legsOf(history, call.id);
  const transfers = transfersOf(history, call.id);
  const decisions = decisionsOf(history, call);
  const fact = (label: string, value: unknown) => (s(value) === undefined ? "" : html`<dt>${label}</dt><dd>${String(value)}</dd>`);
  const facts = html`<dl class="facts">
${fact("Caller", partyOf(call))}${fact("Caller name", call.callerName)}${fact("Direction", call.direction)}${fact("DID", call.did)}${fact("Line", call.line)}
<dt>Status</dt><dd><span class="status ${call.status}">${statusWords(call.status)}</span></dd>
${fact("Started", dateTime(call.startedAt))}${fact("Answered", dateTime(call.answeredAt))}${fact("Ended", dateTime(call.endedAt))}
${fact("Route", ivrRoute(call))}${fact("Queue", call.queue)}${fact("Answered by", answeredBy(call, ownerOf))}
${fact("Wait", duration(call.waitSeconds))}${fact("Talk", duration(call.talkSeconds))}
${fact("Hangup cause", call.hangupCause === null ? null : `${call.hangupCause}${call.hangupCauseText ? ` (${call.hangupCauseText})` : ""}`)}
${fact("Detail", call.detail)}${fact("Recorded by", call.tracked ? `${call.source}, followed on AMI` : call.source)}${fact("Uniqueid", call.uniqueid)}
${call.gap ? html`<dt>Note</dt><dd>Part of this call happened while the AMI connection was down: some times are estimates.</dd>` : ""}
</dl>`;
  const entries = callEntries(call, legs, transfers, decisions);
  const legTable = legs.length
    ? html`<h2>Legs</h2><div class="table-wrap" role="region" aria-label="Legs" tabindex="0"><table><caption class="sr-only">Every party of the call</caption>
<thead><tr><th scope="col">#</th><th scope="col">Role</th><th scope="col">Who</th><th scope="col">Endpoint</th><th scope="col" class="num">Ring</th><th scope="col" class="num">Talk</th><th scope="col">Dial status</th></tr></thead>
<tbody>${legs.map((l) => html`<tr><td>${l.position}</td><td>${l.role}</td><td>${l.member ?? l.number ?? ""}${l.name ? html` <span class="muted">${l.name}</span>` : ""}</td><td>${l.endpoint}</td><td class="num">${duration(l.ringSeconds)}</td><td class="num">${duration(l.talkSeconds)}</td><td>${l.dialStatus ?? ""}</td></tr>`)}</tbody></table></div>`
    : "";
  const decisionList = decisions.length
    ? html`<h2>Smart Redirect</h2>${decisions.map(
        (d) => html`<section class="card"><p><b>${d.outcome}</b>${d.dialPlan ? html` → <code>${d.dialPlan}</code>` : ""}${d.name ? html`, name “${d.name}”` : ""} <span class="muted">(${d.via}, enterprise ${d.enterprise}, mode ${d.mode}, ${Math.round(d.latencyMs)} ms${d.cached ? ", cached" : ""})</span></p>
<p>Why: ${d.reason ?? "–"}</p></section>`,
      )}`
    : "";
  return html`<p><a href="/ui/history">← History</a></p>
<div class="grid"><section class="card" aria-labelledby="facts-h"><h2 id="facts-h">The call</h2>${facts}</section>
<section class="card" aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2><ol class="timeline">${entries.map(
    (e) => html`<li><time datetime="${new Date(e.at).toISOString()}">${dateTime(e.at).slice(11)}</time>${e.text}${e.detail ? html` <span class="muted">${e.detail}</span>` : ""}</li>`,
  )}</ol></section></div>
${legTable}${decisionList}`;
}
