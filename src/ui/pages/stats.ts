import { html } from "hono/html";
import type { AppDeps } from "../../http/deps.ts";
import { barChart } from "../charts.ts";
import { dateTime, day, duration, hourMinute, nextDay, parseDay, percent } from "../format.ts";
import { rangeStats, statsByManager } from "../stats-queries.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Up to three days are drawn per hour; longer ranges per day. */
const HOURLY_UP_TO = 3 * DAY;
const MAX_RANGE = 366 * DAY;

const rate = (answered: number, total: number) => (total ? (100 * answered) / total : null);

/** The range asked for (`from`/`to` dates, inclusive), or the last 24 hours. */
export function statsRange(q: Record<string, string>, now = Date.now()): { since: number; until: number; problems: string[] } {
  const problems: string[] = [];
  const from = parseDay(q.from);
  const to = parseDay(q.to);
  if (q.from && from === undefined) problems.push(`"From" is not a date: ${q.from}`);
  if (q.to && to === undefined) problems.push(`"To" is not a date: ${q.to}`);
  let until = to !== undefined ? nextDay(to) : from !== undefined ? nextDay(Math.max(from, Math.min(now, from + MAX_RANGE))) : Math.ceil(now / HOUR) * HOUR;
  let since = from ?? until - DAY;
  if (since >= until) problems.push("The range is empty: \"From\" is after \"To\".");
  if (until - since > MAX_RANGE) {
    problems.push("At most 366 days at a time: the range was cut to its last 366 days.");
    since = until - MAX_RANGE;
  }
  if (since >= until) until = since + DAY;
  return { since, until, problems };
}

export function statsPage(deps: AppDeps, q: Record<string, string>, ownerOf: (extension: string) => string | undefined) {
  const { since, until, problems } = statsRange(q);
  const hourly = until - since <= HOURLY_UP_TO;
  const bucketMs = hourly ? HOUR : DAY;
  const offset = -new Date(since).getTimezoneOffset() * 60_000;
  const { buckets, byDid, totals } = rangeStats(deps.history, since, until, bucketMs, offset);
  const dids = byDid.slice(0, 100);
  const managers = statsByManager(deps.history, since, until, ownerOf);
  const label = (start: number) => (hourly ? hourMinute(start) : day(start).slice(5));
  const when = (start: number) => (hourly ? `${dateTime(start).slice(0, 16)}` : day(start));
  const unit = hourly ? "hour" : "day";
  const today = day(Date.now());
  const quick = (days: number, text: string) => html`<a href="/ui/stats?from=${day(Date.now() - (days - 1) * DAY)}&amp;to=${today}">${text}</a>`;

  const perBucket = barChart({
    id: "calls-chart",
    title: `Calls per ${unit}`,
    description: `${totals.total} calls from ${dateTime(since)} to ${dateTime(until)}, per ${unit}: answered and not answered. The table below has the numbers.`,
    series: [
      { name: "answered", className: "answered" },
      { name: "not answered", className: "other" },
    ],
    bars: buckets.map((b) => ({ label: label(b.start), title: `${when(b.start)}: ${b.total} calls, ${b.answered} answered`, values: [b.answered, b.total - b.answered] })),
  });
  const rateChart = barChart({
    id: "rate-chart",
    title: `Answer rate per ${unit}`,
    description: `The share of calls answered, per ${unit}, from 0 to 100 %; no bar where there were no calls.`,
    series: [{ name: "answer rate", className: "rate" }],
    bars: buckets.map((b) => ({ label: label(b.start), title: `${when(b.start)}: ${percent(rate(b.answered, b.total))} of ${b.total}`, values: [rate(b.answered, b.total)] })),
    max: 100,
    unit: "%",
  });
  const bucketTable = html`<details><summary>The numbers per ${unit} (table)</summary><div class="table-wrap"><table><caption class="sr-only">Calls and answer rate per ${unit}</caption>
<thead><tr><th scope="col">${hourly ? "Hour" : "Day"}</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Answered</th><th scope="col" class="num">Answer rate</th></tr></thead>
<tbody>${buckets.map((b) => html`<tr><th scope="row">${when(b.start)}</th><td class="num">${b.total}</td><td class="num">${b.answered}</td><td class="num">${percent(rate(b.answered, b.total))}</td></tr>`)}</tbody></table></div></details>`;

  return html`<form class="filters card" method="get" action="/ui/stats" aria-label="The range">
<div class="field"><label for="from">From</label><input id="from" name="from" type="date" value="${q.from ?? day(since)}"></div>
<div class="field"><label for="to">To</label><input id="to" name="to" type="date" value="${q.to ?? day(until - 1)}"></div>
<button type="submit">Show</button>
<p>${quick(1, "Today")} · ${quick(7, "7 days")} · ${quick(30, "30 days")}</p>
</form>
${problems.map((p) => html`<p class="error" role="alert">${p}</p>`)}
<p class="muted">From ${dateTime(since)} to ${dateTime(until)} (server time).</p>
<div class="kpis">
<div>Calls<b>${totals.total}</b></div>
<div>Answered<b>${totals.answered}</b></div>
<div>Answer rate<b>${percent(rate(totals.answered, totals.total))}</b></div>
<div>Average wait<b>${duration(totals.averageWaitSeconds) || "–"}</b></div>
<div>Average talk<b>${duration(totals.averageTalkSeconds) || "–"}</b></div>
</div>
<section class="card" aria-labelledby="calls-chart-h"><h2 id="calls-chart-h">Calls per ${unit}</h2>${perBucket}</section>
<section class="card" aria-labelledby="rate-chart-h"><h2 id="rate-chart-h">Answer rate per ${unit}</h2>${rateChart}${bucketTable}</section>
<section aria-labelledby="did-h"><h2 id="did-h">By DID</h2>
<div class="table-wrap" role="region" aria-label="By DID" tabindex="0"><table><caption class="sr-only">Calls per DID, busiest first; averages over answered calls</caption>
<thead><tr><th scope="col">DID</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Answered</th><th scope="col" class="num">Answer rate</th><th scope="col" class="num">Avg wait</th><th scope="col" class="num">Avg talk</th></tr></thead>
<tbody>${dids.length ? dids.map((d) => html`<tr><th scope="row">${d.did ?? "(none)"}</th><td class="num">${d.total}</td><td class="num">${d.answered}</td><td class="num">${percent(rate(d.answered, d.total))}</td><td class="num">${duration(d.averageWaitSeconds)}</td><td class="num">${duration(d.averageTalkSeconds)}</td></tr>`) : html`<tr><td colspan="6" class="empty">No calls in this range.</td></tr>`}</tbody></table></div></section>
<section aria-labelledby="manager-h"><h2 id="manager-h">By manager</h2>
<div class="table-wrap" role="region" aria-label="By manager" tabindex="0"><table><caption class="sr-only">Answered calls per manager (the user who owns the extension), busiest first</caption>
<thead><tr><th scope="col">Manager</th><th scope="col">Extensions</th><th scope="col" class="num">Answered</th><th scope="col" class="num">Avg wait</th><th scope="col" class="num">Avg talk</th></tr></thead>
<tbody>${managers.length ? managers.map((m) => html`<tr><th scope="row">${m.manager}</th><td>${m.extensions.join(", ")}</td><td class="num">${m.answered}</td><td class="num">${duration(m.averageWaitSeconds)}</td><td class="num">${duration(m.averageTalkSeconds)}</td></tr>`) : html`<tr><td colspan="5" class="empty">No answered calls in this range.</td></tr>`}</tbody></table></div></section>`;
}
