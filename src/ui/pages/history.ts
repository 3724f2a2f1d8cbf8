import { html } from "hono/html";
import { phoneSearch } from "../../history/country.ts";
import { type CallFilter, listCalls } from "../../history/queries.ts";
import { CALL_STATUSES, unknownStatus } from "../../history/statuses.ts";
import type { AppDeps } from "../../http/deps.ts";
import { nextDay, parseDay, statusWords } from "../format.ts";
import { callTable } from "./call-table.ts";

export const PAGE_SIZE = 50;

export interface HistoryQuery {
  phone: string;
  did: string;
  status: string;
  from: string;
  to: string;
}

/** The search form's fields as given (for the form and the links), and the filter they make, or why not. */
export function readHistoryQuery(deps: AppDeps, q: Record<string, string>): { query: HistoryQuery; filter: CallFilter; problems: string[] } {
  const query: HistoryQuery = { phone: (q.phone ?? "").trim().slice(0, 64), did: (q.did ?? "").trim().slice(0, 64), status: q.status ?? "", from: q.from ?? "", to: q.to ?? "" };
  const problems: string[] = [];
  const filter: CallFilter = {};
  // The same number in any spelling: E.164 in each configured country, or as it was stored.
  if (query.phone) filter.phone = phoneSearch(query.phone, deps.snapshot().config);
  if (query.did) filter.did = query.did;
  if (query.status) {
    const bad = unknownStatus(query.status);
    if (bad) problems.push(bad);
    else filter.status = query.status;
  }
  const since = parseDay(query.from);
  const until = parseDay(query.to);
  if (query.from && since === undefined) problems.push(`"From" is not a date: ${query.from}`);
  if (query.to && until === undefined) problems.push(`"To" is not a date: ${query.to}`);
  if (since !== undefined) filter.since = since;
  if (until !== undefined) filter.until = nextDay(until);
  return { query, filter, problems };
}

export const queryString = (query: HistoryQuery, extra: Record<string, string> = {}) =>
  new URLSearchParams(Object.entries({ ...query, ...extra }).filter(([, v]) => v !== "")).toString();

export function historyPage(deps: AppDeps, q: Record<string, string>, ownerOf: (extension: string) => string | undefined, clickToCall: boolean) {
  const { query, filter, problems } = readHistoryQuery(deps, q);
  const before = /^\d+$/.test(q.before ?? "") ? Number(q.before) : undefined;
  const rows = problems.length ? [] : listCalls(deps.history, { ...filter, before, limit: PAGE_SIZE + 1 });
  const more = rows.length > PAGE_SIZE;
  const shown = rows.slice(0, PAGE_SIZE);
  const dids = Object.keys(deps.snapshot().config.dids ?? {});
  const status = (value: string, label: string) => html`<option value="${value}"${query.status === value ? html` selected` : ""}>${label}</option>`;
  const form = html`<form class="filters card" method="get" action="/ui/history" role="search" aria-label="Search the call history">
<div class="field"><label for="phone">Phone</label><input id="phone" name="phone" type="search" inputmode="tel" value="${query.phone}" aria-describedby="phone-hint"><small id="phone-hint" class="muted">any spelling</small></div>
<div class="field"><label for="did">DID</label><input id="did" name="did" value="${query.did}" list="dids"><datalist id="dids">${dids.map((d) => html`<option value="${d}"></option>`)}</datalist></div>
<div class="field"><label for="status">Status</label><select id="status" name="status">${status("", "any")}${CALL_STATUSES.map((s) => status(s, statusWords(s)))}</select></div>
<div class="field"><label for="from">From</label><input id="from" name="from" type="date" value="${query.from}"></div>
<div class="field"><label for="to">To</label><input id="to" name="to" type="date" value="${query.to}"></div>
<button type="submit">Search</button>
<a class="button secondary" href="/ui/history.csv?${queryString(query)}" download>Export CSV</a>
</form>`;
  const callback = clickToCall
    ? html`<div class="card field"><label for="my-extension">My extension (for click-to-call)</label><input id="my-extension" inputmode="numeric" autocomplete="off" aria-describedby="my-extension-hint"><small id="my-extension-hint" class="muted">Your phone rings first, then the customer's number.</small></div>`
    : "";
  const pager = html`<nav class="pager" aria-label="Pages">${before ? html`<a href="/ui/history?${queryString(query)}">← Newest calls</a>` : ""}${more ? html`<a href="/ui/history?${queryString(query, { before: String(shown.at(-1)!.id) })}" rel="next">Older calls →</a>` : ""}</nav>`;
  return html`${form}
${problems.map((p) => html`<p class="error" role="alert">${p}</p>`)}
${callback}
${callTable(shown, { caption: `Calls, newest first${before ? " (older page)" : ""}`, ownerOf, clickToCall })}
${pager}`;
}
