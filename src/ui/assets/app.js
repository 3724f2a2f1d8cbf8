// The operator page's script: the live calls (EventSource), ticking durations, refreshed
// fragments, click-to-call. Plain ES2020, no library; everything it shows is written with
// textContent, never parsed as HTML. The pages work without it, except the live parts.
"use strict";
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content") ?? "";
  const announcer = document.getElementById("announcer");
  /** Server time minus browser time, so durations tick right on a browser whose clock is off. */
  let skew = 0;
  const now = () => Date.now() + skew;

  function announce(text) {
    if (announcer) announcer.textContent = text;
  }

  function duration(seconds) {
    const s = Math.max(0, Math.round(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
  }

  function tick() {
    for (const el of document.querySelectorAll("[data-since]")) {
      const since = Date.parse(el.getAttribute("data-since"));
      if (!Number.isNaN(since)) el.textContent = duration((now() - since) / 1000);
    }
  }

  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined && text !== null) el.textContent = text;
    return el;
  }

  function timer(since, label) {
    const t = element("time");
    t.setAttribute("data-since", since);
    t.setAttribute("datetime", since);
    if (label) t.setAttribute("aria-label", label);
    t.textContent = duration((now() - Date.parse(since)) / 1000);
    return t;
  }

  // ---- Live calls -------------------------------------------------------------------------
  function startLive(data) {
    skew = data.serverNow - Date.now();
    const calls = new Map(data.calls.map((call) => [call.id, call]));
    const names = Object.assign({}, data.names);
    let lastId = data.lastEventId;
    let source;
    const list = document.getElementById("live-calls");
    const queues = document.getElementById("live-queues");
    const status = document.getElementById("live-status");
    const count = document.getElementById("live-count");

    function caller(call) {
      if (call.direction === "inbound") return call.external_number || call.external_number_raw || "unknown number";
      if (call.direction === "outbound") return `${call.caller_extension || "?"} → ${call.external_number || call.external_number_raw || "?"}`;
      return call.caller_extension || "internal call";
    }

    function nameOf(call) {
      return (call.external_number && names[call.external_number]) || call.caller_name || "";
    }

    function stateOf(call) {
      if (call.state === "answered") {
        const who = call.answered_user ? `${call.answered_user} (${call.answered_extension || call.answered_by})` : call.answered_extension || call.answered_by || "";
        return { className: "talking", text: `Talking${who ? ` with ${who}` : ""}`, since: call.answered_at };
      }
      if (call.queue && !call.queue_abandoned) return { className: "queue", text: `In queue ${call.queue}`, since: call.queue_joined_at || call.started_at };
      if (call.state === "ringing") return { className: "ringing", text: `Ringing${call.ringing_leg ? ` ${call.ringing_leg}` : ""}`, since: call.ringing_at || call.started_at };
      return { className: "started", text: "Connecting (IVR or dialplan)", since: call.started_at };
    }

    function render() {
      const sorted = [...calls.values()].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
      list.replaceChildren();
      if (!sorted.length) list.append(element("li", "empty", "No calls in progress."));
      for (const call of sorted) {
        const state = stateOf(call);
        const item = element("li", state.className);
        item.setAttribute("data-call", call.id);
        const head = element("div", "head");
        head.append(element("span", "who", caller(call)), timer(call.started_at, "call duration"));
        item.append(head);
        const name = nameOf(call);
        if (name) item.append(element("div", "name", name));
        const line = [call.did ? `DID ${call.did}` : "", call.line ? `line ${call.line}` : "", call.direction].filter(Boolean).join(" · ");
        item.append(element("div", "muted", line));
        const st = element("div", "state", state.text);
        if (state.since && state.since !== call.started_at) st.append(" ", timer(state.since, "time in this state"));
        item.append(st);
        list.append(item);
      }
      count.textContent = String(sorted.length);
      renderQueues(sorted);
    }

    function renderQueues(sorted) {
      const waiting = new Map();
      for (const call of sorted) {
        if (!call.queue || call.queue_abandoned || call.state === "answered") continue;
        const joined = call.queue_joined_at || call.started_at;
        const q = waiting.get(call.queue) || { callers: 0, oldest: joined };
        q.callers++;
        if (Date.parse(joined) < Date.parse(q.oldest)) q.oldest = joined;
        waiting.set(call.queue, q);
      }
      const body = queues.querySelector("tbody");
      body.replaceChildren();
      if (!waiting.size) {
        const row = element("tr");
        const cell = element("td", "empty", "Nobody is waiting in a queue.");
        cell.colSpan = 3;
        row.append(cell);
        body.append(row);
      }
      for (const [name, q] of [...waiting].sort()) {
        const row = element("tr");
        const wait = element("td", "num");
        wait.append(timer(q.oldest, "longest wait"));
        row.append(element("th", "", name), element("td", "num", String(q.callers)), wait);
        row.firstChild.scope = "row";
        body.append(row);
      }
    }

    async function lookUpNames(numbers) {
      const missing = numbers.filter((n) => n && !(n in names));
      if (!missing.length) return;
      for (const n of missing) names[n] = null;
      const query = missing.map((n) => `phone=${encodeURIComponent(n)}`).join("&");
      try {
        const res = await fetch(`/ui/names?${query}`, { credentials: "same-origin" });
        if (res.ok) Object.assign(names, await res.json());
        render();
      } catch {
        // A name is a nicety: the number is shown without it.
      }
    }

    async function reloadActive() {
      const res = await fetch("/api/calls/active", { credentials: "same-origin" });
      if (res.status === 401) return signedOut();
      if (!res.ok) return;
      const body = await res.json();
      calls.clear();
      for (const call of body.calls) calls.set(call.id, call);
      render();
      lookUpNames(body.calls.map((c) => c.external_number));
    }

    function signedOut() {
      location.assign(`/ui/sign-in?next=${encodeURIComponent(location.pathname)}`);
    }

    function setStatus(state, text) {
      status.className = state;
      status.textContent = text;
    }

    const describe = (call) => [caller(call), nameOf(call)].filter(Boolean).join(" ");

    function onEvent(event) {
      lastId = event.lastEventId || lastId;
      const data = JSON.parse(event.data);
      const call = data.call;
      const known = calls.get(call.id);
      if (data.type === "call.ringing" && data.leg) call.ringing_leg = data.leg.number || data.leg.endpoint;
      else if (known && known.ringing_leg && call.state === "ringing") call.ringing_leg = known.ringing_leg;
      if (data.merged_from) calls.delete(data.merged_from);
      if (data.type === "call.ended") {
        calls.delete(call.id);
        announce(`Call ${describe(call)} ended${call.status ? `: ${call.status.replace(/_/g, " ")}` : ""}.`);
      } else {
        calls.set(call.id, call);
        if (data.type === "call.started") announce(`New ${call.direction} call: ${describe(call)}.`);
        if (data.type === "call.answered" && call.state === "answered" && (!known || known.state !== "answered")) announce(`Call ${describe(call)} answered by ${call.answered_user || call.answered_extension || call.answered_by || "someone"}.`);
      }
      render();
      lookUpNames([call.external_number]);
    }

    function connect() {
      source = new EventSource(`/api/events?last_event_id=${encodeURIComponent(lastId)}`);
      source.onopen = () => setStatus("connected", "Live");
      for (const type of ["call.started", "call.ringing", "call.answered", "call.transferred", "call.merged", "call.ended"]) source.addEventListener(type, onEvent);
      // Missed more than the server keeps: start again from the calls in progress.
      source.addEventListener("resync", (event) => {
        lastId = event.lastEventId || lastId;
        reloadActive();
      });
      source.onerror = () => {
        if (source.readyState !== EventSource.CLOSED) return setStatus("reconnecting", "Reconnecting…");
        // Closed for good (signed out, tracking off, server gone): find out why, then try again.
        setStatus("reconnecting", "Disconnected; trying again…");
        source.close();
        fetch("/api/calls/active", { credentials: "same-origin" })
          .then((res) => (res.status === 401 ? signedOut() : undefined))
          .catch(() => {})
          .finally(() => setTimeout(connect, 5000));
      };
    }

    render();
    lookUpNames(data.calls.map((c) => c.external_number));
    connect();
    // Now and then the whole list again: heals anything missed, keeps the session in use.
    setInterval(reloadActive, 5 * 60_000);
  }

  // ---- Fragments refreshed in place (recent calls) -----------------------------------------
  function refresh(el) {
    const every = Number(el.getAttribute("data-every") || 15) * 1000;
    setInterval(async () => {
      try {
        const res = await fetch(el.getAttribute("data-refresh"), { credentials: "same-origin" });
        if (res.status === 401 || res.redirected) return;
        if (res.ok) el.innerHTML = await res.text(); // the server's own escaped HTML
      } catch {
        // Next time.
      }
    }, every);
  }

  // ---- Click-to-call ------------------------------------------------------------------------
  const EXTENSION_KEY = "ivr.operator.extension";
  function setUpClickToCall() {
    // The field is on the history page; the live page's buttons use the extension saved there.
    const input = document.getElementById("my-extension");
    if (input) {
      input.value = localStorage.getItem(EXTENSION_KEY) || "";
      input.addEventListener("change", () => localStorage.setItem(EXTENSION_KEY, input.value.trim()));
    }
    document.addEventListener("click", async (event) => {
      const button = event.target.closest("button[data-call-to]");
      if (!button) return;
      const extension = (input ? input.value : localStorage.getItem(EXTENSION_KEY) || "").trim();
      if (!extension) {
        announce(input ? "Enter your extension first: your phone rings, then the customer's." : "Enter your extension on the History page first: your phone rings, then the customer's.");
        if (input) input.focus();
        return;
      }
      button.disabled = true;
      try {
        const res = await fetch("/api/originate", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
          body: JSON.stringify({ kind: "click-to-call", to: button.getAttribute("data-call-to"), extension }),
        });
        const body = await res.json().catch(() => ({}));
        announce(res.ok ? `Calling ${button.getAttribute("data-call-to")}: your phone ${extension} rings first.` : `Could not call: ${body.error || res.status}`);
      } catch (error) {
        announce(`Could not call: ${error.message}`);
      } finally {
        button.disabled = false;
      }
    });
  }

  // A tool's result after its form was posted: read it first (keyboard and screen reader).
  const result = document.querySelector("[data-focus]");
  if (result) {
    result.focus();
    result.scrollIntoView({ block: "start" });
  }
  const liveData = document.getElementById("live-data");
  if (liveData) startLive(JSON.parse(liveData.textContent));
  for (const el of document.querySelectorAll("[data-refresh]")) refresh(el);
  setUpClickToCall();
  setInterval(tick, 1000);
})();
