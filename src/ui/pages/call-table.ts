import { html } from "hono/html";
import type { CallRow } from "../../history/schema.ts";
import { dateTime, duration, statusWords } from "../format.ts";

export interface CallTableOptions {
  caption: string;
  /** The user who owns an extension (Smart Redirect users), for rows AMI did not name. */
  ownerOf: (extension: string) => string | undefined;
  /** Show the click-to-call button (the server can originate). */
  clickToCall: boolean;
}

/** The outside party (or the internal caller of an internal call). */
export const partyOf = (row: CallRow) => row.externalNumber ?? row.externalNumberRaw ?? row.callerExtension ?? "unknown";

export function answeredBy(row: CallRow, ownerOf: (extension: string) => string | undefined): string {
  const user = row.answeredUser ?? (row.answeredExtension ? ownerOf(row.answeredExtension) : undefined);
  const where = row.answeredExtension ?? row.answeredBy;
  return user ? `${user}${where ? ` (${where})` : ""}` : (where ?? "");
}

/** What the IVR did: the keys of each attempt and where they led. */
export function ivrRoute(row: CallRow): string {
  const keys = row.digits ? `keys ${row.digits.split(",").map((k) => k || "(none)").join(", ")}` : "";
  const to = row.routeKind && row.destination ? `${row.routeKind} ${row.destination}` : "";
  return [keys, to].filter(Boolean).join(" → ");
}

export function callTable(rows: readonly CallRow[], options: CallTableOptions) {
  if (!rows.length) return html`<p class="empty">No calls.</p>`;
  const body = rows.map((row) => {
    const party = partyOf(row);
    const callable = options.clickToCall && row.direction !== "internal" && (row.externalNumber ?? row.externalNumberRaw);
    return html`<tr>
<td><a href="/ui/calls/${row.id}" aria-label="Details of the call of ${dateTime(row.startedAt)} with ${party}">${dateTime(row.startedAt)}</a></td>
<td>${party}${row.callerName ? html`<br><span class="muted">${row.callerName}</span>` : ""}</td>
<td>${row.did ?? ""}${row.line ? html`<br><span class="muted">${row.line}</span>` : ""}</td>
<td><span class="status ${row.status}">${statusWords(row.status)}</span>${row.direction !== "inbound" ? html`<br><span class="muted">${row.direction}</span>` : ""}</td>
<td>${ivrRoute(row)}</td>
<td>${answeredBy(row, options.ownerOf)}</td>
<td class="num">${duration(row.waitSeconds)}</td>
<td class="num">${duration(row.talkSeconds)}</td>
${options.clickToCall ? html`<td>${callable ? html`<button type="button" class="secondary" data-call-to="${callable}" aria-label="Call ${callable} back">Call</button>` : ""}</td>` : ""}
</tr>`;
  });
  return html`<div class="table-wrap" role="region" aria-label="${options.caption}" tabindex="0"><table>
<caption>${options.caption}</caption>
<thead><tr><th scope="col">Started</th><th scope="col">Caller</th><th scope="col">DID / line</th><th scope="col">Status</th><th scope="col">Route</th><th scope="col">Answered by</th><th scope="col" class="num">Wait</th><th scope="col" class="num">Talk</th>${options.clickToCall ? html`<th scope="col"><span class="sr-only">Click-to-call</span></th>` : ""}</tr></thead>
<tbody>${body}</tbody>
</table></div>`;
}
