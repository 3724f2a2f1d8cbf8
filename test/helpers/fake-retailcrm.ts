import { parsePhpForm } from "./php-form.ts";

/**
 * A fake RetailCRM account over real HTTP, built from API v5 as its official clients model
 * it (retailcrm/api-client-php: Model/Request/Telephony, Entity/Telephony, the telephony
 * enums; retailcrm/api-client-go: error.go, rate.go): the key in X-API-KEY (or apiKey),
 * `{"success": false, "errorMsg", "errors"}` on errors ("Wrong \"apiKey\" value." 403,
 * validation 400, 404 for nothing found), GET /api/v5/telephony/manager, GET
 * /api/v5/customers?filter[name]=, POST /api/v5/telephony/call/event (form field `event`,
 * JSON), POST /api/v5/telephony/calls/upload (form field `calls`, a JSON list of at most 50,
 * duplicates by externalId). Limits: 10 requests a second per key, 40 on /telephony/
 * (503 past them). Faults are queued per path.
 */
export interface FakeCustomer {
  id: number;
  firstName: string;
  lastName: string;
  /** As typed into the card. */
  phones: string[];
  managerId: number;
}

export interface FakeManager {
  id: number;
  firstName: string;
  lastName: string;
  /** The additional code (the manager's extension) in the telephony settings. */
  code: string;
}

export type RetailCrmFault = "503" | "429" | "500" | "timeout" | "malformed" | "html" | "lost-answer";

const digits = (value: unknown) => String(value ?? "").replace(/\D/g, "");
const CALL_TYPES = ["in", "out"];
const EVENT_TYPES = ["in", "out", "hangup"];
const HANGUP_STATUSES = ["answered", "busy", "cancel", "failed", "no answered"];
const RESULTS = ["answered", "busy", "failed", "no answer", "not allowed", "unknown"];

export class FakeRetailCrm {
  readonly apiKey = "rcrm-api-key-0123456789abcdef";
  customers: FakeCustomer[] = [];
  managers: FakeManager[] = [];
  ratePerSecond = 10;
  telephonyRatePerSecond = 40;
  holdMs = 3000;
  clock: () => number = Date.now;
  readonly requests: Array<{ path: string; params: Record<string, unknown>; status: number; fault?: RetailCrmFault }> = [];
  readonly events: Array<Record<string, any>> = [];
  readonly uploaded: Array<Record<string, any>> = [];
  private readonly faults: Array<{ path: string; fault: RetailCrmFault }> = [];
  private readonly windows = new Map<string, number[]>();
  private server: ReturnType<typeof Bun.serve> | undefined;
  port = 0;

  start(port = this.port): this {
    this.server = Bun.serve({ hostname: "127.0.0.1", port, idleTimeout: 30, fetch: (request) => this.handle(request) });
    this.port = this.server.port!;
    return this;
  }

  stop(): void {
    this.server?.stop(true);
    this.server = undefined;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  fail(path: string, fault: RetailCrmFault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ path, fault });
  }

  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    const params: Record<string, unknown> = request.method === "GET" ? parsePhpForm(url.search.slice(1)) : parsePhpForm(await request.text());
    const record: (typeof this.requests)[number] = { path, params, status: 0 };
    this.requests.push(record);
    const key = request.headers.get("x-api-key") ?? String(params.apiKey ?? "");
    if (!key) return this.answer(record, 403, { success: false, errorMsg: '"apiKey" is missing.' });
    if (key !== this.apiKey) return this.answer(record, 403, { success: false, errorMsg: 'Wrong "apiKey" value.' });
    if (!this.withinLimit(path)) return this.answer(record, 503, { success: false, errorMsg: "Service Unavailable: too many requests" });
    const index = this.faults.findIndex((f) => f.path === path || f.path === "*");
    const fault = index === -1 ? undefined : this.faults.splice(index, 1)[0]!.fault;
    record.fault = fault;
    if (fault === "503") return this.answer(record, 503, { success: false, errorMsg: "Service Unavailable" });
    if (fault === "429") return this.answer(record, 429, { success: false, errorMsg: "Too Many Requests" });
    if (fault === "500") return this.answer(record, 500, { success: false, errorMsg: "Internal error" });
    if (fault === "malformed") return (record.status = 200), new Response('{"success": tr', { headers: { "Content-Type": "application/json" } });
    if (fault === "html") return (record.status = 404), new Response("<html><body>Account does not exist.</body></html>", { status: 404, headers: { "Content-Type": "text/html" } });
    if (fault === "timeout") {
      await Bun.sleep(this.holdMs);
      return this.answer(record, 504, { success: false, errorMsg: "held" });
    }
    const response = this.route(request.method, path, params, record);
    if (fault === "lost-answer") await Bun.sleep(this.holdMs);
    return response;
  }

  private route(method: string, path: string, p: Record<string, unknown>, record: (typeof this.requests)[number]): Response {
    if (method === "GET" && path === "/api/v5/telephony/manager") return this.manager(p, record);
    if (method === "GET" && path === "/api/v5/customers") return this.customerList(p, record);
    if (method === "POST" && path === "/api/v5/telephony/call/event") return this.callEvent(p, record);
    if (method === "POST" && path === "/api/v5/telephony/calls/upload") return this.upload(p, record);
    return this.answer(record, 404, { success: false, errorMsg: "API method not found" });
  }

  private manager(p: Record<string, unknown>, record: (typeof this.requests)[number]): Response {
    if (!p.phone) return this.answer(record, 400, { success: false, errorMsg: "Parameter 'phone' is missing" });
    const customer = this.customers.find((c) => c.phones.some((phone) => digits(phone) === digits(p.phone)));
    if (!customer) return this.answer(record, 404, { success: false, errorMsg: "Not found" });
    const manager = this.managers.find((m) => m.id === customer.managerId);
    return this.answer(record, 200, {
      success: true,
      ...(manager ? { manager: { id: manager.id, firstName: manager.firstName, lastName: manager.lastName, code: manager.code } } : {}),
      customer: { id: customer.id, firstName: customer.firstName, lastName: customer.lastName, phones: customer.phones.map((number) => ({ number })) },
      links: { customerUrl: `${this.url}/customers/${customer.id}` },
    });
  }

  private customerList(p: Record<string, unknown>, record: (typeof this.requests)[number]): Response {
    const name = String((p.filter as Record<string, unknown> | undefined)?.name ?? "");
    const found = this.customers.filter((c) => !name || `${c.lastName} ${c.firstName}`.includes(name) || (digits(name) && c.phones.some((phone) => digits(phone).includes(digits(name)))));
    return this.answer(record, 200, {
      success: true,
      pagination: { limit: 20, totalCount: found.length, currentPage: 1, totalPageCount: 1 },
      customers: found.map((c) => ({ id: c.id, firstName: c.firstName, lastName: c.lastName, phones: c.phones.map((number) => ({ number })), managerId: c.managerId })),
    });
  }

  private callEvent(p: Record<string, unknown>, record: (typeof this.requests)[number]): Response {
    let event: Record<string, any>;
    try {
      event = JSON.parse(String(p.event ?? ""));
    } catch {
      return this.answer(record, 400, { success: false, errorMsg: "Parameter 'event' is missing" });
    }
    const errors: Record<string, string> = {};
    if (!event.phone) errors.phone = "This value should not be blank.";
    if (!EVENT_TYPES.includes(event.type)) errors.type = "The value you selected is not a valid choice.";
    if (event.hangupStatus !== undefined && !HANGUP_STATUSES.includes(event.hangupStatus)) errors.hangupStatus = "The value you selected is not a valid choice.";
    if (Object.keys(errors).length) return this.answer(record, 400, { success: false, errorMsg: "Errors in the entity format", errors });
    this.events.push({ ...event, clientId: p.clientId });
    return this.answer(record, 200, { success: true });
  }

  private upload(p: Record<string, unknown>, record: (typeof this.requests)[number]): Response {
    let calls: Array<Record<string, any>>;
    try {
      calls = JSON.parse(String(p.calls ?? ""));
    } catch {
      return this.answer(record, 400, { success: false, errorMsg: "Parameter 'calls' is missing" });
    }
    if (!Array.isArray(calls) || calls.length > 50) return this.answer(record, 400, { success: false, errorMsg: "Too many calls (50 at most)" });
    const errors: Record<string, string> = {};
    calls.forEach((call, i) => {
      if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(String(call.date))) errors[`calls[${i}][date]`] = "This value is not a valid datetime.";
      if (!CALL_TYPES.includes(call.type)) errors[`calls[${i}][type]`] = "The value you selected is not a valid choice.";
      if (!call.phone) errors[`calls[${i}][phone]`] = "This value should not be blank.";
      if (call.result !== undefined && !RESULTS.includes(call.result)) errors[`calls[${i}][result]`] = "The value you selected is not a valid choice.";
    });
    if (Object.keys(errors).length) return this.answer(record, 400, { success: false, errorMsg: "Errors in the entity format", errors });
    const duplicateCalls: string[] = [];
    let processed = 0;
    for (const call of calls) {
      if (call.externalId && this.uploaded.some((u) => u.externalId === call.externalId)) duplicateCalls.push(call.externalId);
      else (this.uploaded.push(call), processed++);
    }
    return this.answer(record, 200, { success: true, processedCallsCount: processed, duplicateCalls });
  }

  /** At most the rate in any second, per path class (telephony methods have their own). */
  private withinLimit(path: string): boolean {
    const telephony = path.startsWith("/api/v5/telephony/");
    const limit = telephony ? this.telephonyRatePerSecond : this.ratePerSecond;
    const now = this.clock();
    const window = (this.windows.get(telephony ? "t" : "g") ?? []).filter((at) => now - at < 1000);
    if (window.length >= limit) return this.windows.set(telephony ? "t" : "g", window), false;
    window.push(now);
    this.windows.set(telephony ? "t" : "g", window);
    return true;
  }

  private answer(record: (typeof this.requests)[number], status: number, body: Record<string, unknown>): Response {
    record.status = status;
    return Response.json(body, { status });
  }
}
