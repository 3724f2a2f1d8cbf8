import type { Context } from "hono";
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { SCRIPT, STYLE } from "./assets.ts";
import type { Session } from "./sessions.ts";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;
export type Section = "live" | "history" | "stats" | "tools";

const SECTIONS: Array<[Section, string, string]> = [
  ["live", "/ui", "Live"],
  ["history", "/ui/history", "History"],
  ["stats", "/ui/stats", "Statistics"],
  ["tools", "/ui/tools", "Tools"],
];

/**
 * Only our own script and stylesheet run (an injected tag does nothing), no framing, forms
 * post only to us; pages are never cached (they show calls).
 */
export const PAGE_HEADERS: Record<string, string> = {
  "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

export interface PageOptions {
  title: string;
  section?: Section;
  /** Signed in: the navigation, the sign-out button, the CSRF token and the script. */
  session?: Session;
  version: string;
  status?: 200 | 400 | 401 | 403 | 404 | 429;
}

export function renderPage(c: Context, options: PageOptions, body: Html): Response | Promise<Response> {
  const { session } = options;
  const nav = session
    ? html`<nav aria-label="Sections"><ul>${SECTIONS.map(([id, href, label]) => html`<li><a href="${href}"${id === options.section ? raw(' aria-current="page"') : ""}>${label}</a></li>`)}</ul></nav>
<form method="post" action="/ui/sign-out"><input type="hidden" name="_csrf" value="${session.csrf}"><button type="submit">Sign out</button></form>`
    : "";
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · ivr</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${STYLE.path}">
${session ? html`<meta name="csrf-token" content="${session.csrf}"><script src="${SCRIPT.path}" defer></script>` : ""}
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="top"><a class="brand" href="/ui">ivr</a>${nav}</header>
<main id="main" tabindex="-1">
<h1>${options.title}</h1>
${body}
</main>
<div id="announcer" class="sr-only" aria-live="polite" aria-atomic="true"></div>
<footer class="foot muted">ivr ${options.version}</footer>
</body>
</html>`;
  return c.html(page, options.status ?? 200, PAGE_HEADERS);
}

/** Data for the script, inside the page: `<` escaped so nothing in it can end the script element. */
export function jsonScript(id: string, data: unknown) {
  const json = JSON.stringify(data).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  return html`<script type="application/json" id="${id}">${raw(json)}</script>`;
}
