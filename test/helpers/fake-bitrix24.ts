import { randomBytes } from "node:crypto";
import { asList, parsePhpForm } from "./php-form.ts";

/**
 * A fake Bitrix24 portal over real HTTP, built from the REST documentation
 * (bitrix24/b24restdocs: api-reference/telephony/*, user/user-get.md, limits.md,
 * _includes/system-errors.md): an inbound webhook https://PORTAL/rest/USER/CODE/METHOD,
 * answers `{"result", "time"}` or `{"error", "error_description"}` with the documented
 * statuses; the request limit (a bucket of 50 draining at 2 a second, 503
 * QUERY_LIMIT_EXCEEDED past it) on its own clock; telephony.externalcall.register's rule
 * that a repeated register with the same parameters and no finish returns the same CALL_ID
 * for 30 minutes; finish of an unknown or finished call refused ("Call is not found").
 * Faults are queued per method: 503, 429, 500, a timeout, malformed JSON, an answer lost
 * after the work was done.
 */
export interface FakeUser {
  ID: string;
  NAME: string;
  LAST_NAME: string;
  UF_PHONE_INNER?: string;
  ACTIVE?: boolean;
}

export interface FakeEntity {
  CRM_ENTITY_TYPE: "CONTACT" | "COMPANY" | "LEAD";
  CRM_ENTITY_ID: number;
  NAME: string;
  /** As the manager typed it into the card: "8 (029) 123-45-67". */
  PHONE: string;
  ASSIGNED_BY_ID: number;
}

export type Bitrix24Fault = "503" | "429" | "500" | "timeout" | "malformed" | "lost-answer";

export interface FakeCall {
  CALL_ID: string;
  params: Record<string, unknown>;
  registeredAt: number;
  shownTo: string[];
  hiddenFrom: string[];
  finished?: Record<string, unknown>;
  record?: Record<string, unknown>;
}

const digits = (value: unknown) => String(value ?? "").replace(/\D/g, "");

export class FakeBitrix24 {
  readonly userId = "1";
  readonly code = "b24webhookcode0123456789";
  users: FakeUser[] = [];
  entities: FakeEntity[] = [];
  /** Portals before EXTERNAL_CALL_ID (or that ignore it) dedup on the other parameters only. */
  ignoreExternalCallId = false;
  /** The request limit: X and Y of limits.md. */
  burst = 50;
  ratePerSecond = 2;
  clock: () => number = Date.now;
  /** How long "timeout" and "lost-answer" hold the answer. */
  holdMs = 3000;
  /** Every request that reached a method; `fault` when one was injected into it. */
  readonly requests: Array<{ method: string; params: Record<string, unknown>; status: number; fault?: Bitrix24Fault }> = [];
  readonly calls: FakeCall[] = [];
  private readonly faults: Array<{ method: string; fault: Bitrix24Fault }> = [];
  private level = 0;
  private levelAt = 0;
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

  /** The inbound webhook URL (a secret in real life). */
  get webhookUrl(): string {
    return `http://127.0.0.1:${this.port}/rest/${this.userId}/${this.code}/`;
  }

  /** The next request to `method` (lower case, or "*") meets `fault`. */
  fail(method: string, fault: Bitrix24Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ method: method.toLowerCase(), fault });
  }

  /** Requests that reached a method (whatever the answer), by method. */
  count(method: string): number {
    return this.requests.filter((r) => r.method === method.toLowerCase()).length;
  }

  /** Requests a method did its work for (answered with a result, or with an answer lost on the way). */
  succeeded(method: string): Array<Record<string, unknown>> {
    return this.requests.filter((r) => r.method === method.toLowerCase() && r.status === 200 && r.fault !== "malformed").map((r) => r.params);
  }

  private async handle(request: Request): Promise<Response> {
    const match = /^\/rest\/([^/]+)\/([^/]+)\/([^/]+?)(\.json)?$/.exec(new URL(request.url).pathname);
    if (!match) return this.error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
    if (match[1] !== this.userId || match[2] !== this.code) return this.error(401, "INVALID_CREDENTIALS", "Invalid request credentials");
    const method = match[3]!.toLowerCase();
    const text = await request.text();
    let params: Record<string, unknown>;
    try {
      params = request.headers.get("content-type")?.includes("json") ? (text ? JSON.parse(text) : {}) : parsePhpForm(text);
    } catch {
      return this.error(400, "INVALID_REQUEST", "Invalid JSON");
    }
    const record: (typeof this.requests)[number] = { method, params, status: 0 };
    this.requests.push(record);
    if (!this.takeFromBucket()) return (record.status = 503), this.error(503, "QUERY_LIMIT_EXCEEDED", "Too many requests");
    const faultIndex = this.faults.findIndex((f) => f.method === method || f.method === "*");
    const fault = faultIndex === -1 ? undefined : this.faults.splice(faultIndex, 1)[0]!.fault;
    record.fault = fault;
    if (fault === "503") return (record.status = 503), this.error(503, "INTERNAL_SERVER_ERROR", "Service temporarily unavailable");
    if (fault === "429") return (record.status = 429), this.error(429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit");
    if (fault === "500") return (record.status = 500), this.error(500, "INTERNAL_SERVER_ERROR", "Internal server error");
    if (fault === "malformed") return (record.status = 200), new Response('{"result": {"CALL_ID": "externalCall.', { status: 200, headers: { "Content-Type": "application/json" } });
    if (fault === "timeout") {
      await Bun.sleep(this.holdMs);
      return (record.status = 504), this.error(504, "TIMEOUT", "held");
    }
    const response = this.method(method, params);
    record.status = response.status;
    if (fault === "lost-answer") await Bun.sleep(this.holdMs);
    return response;
  }

  private method(method: string, p: Record<string, unknown>): Response {
    switch (method) {
      case "user.get":
        return this.userGet(p);
      case "telephony.externalcall.searchcrmentities":
        return this.search(p);
      case "telephony.externalcall.register":
        return this.register(p);
      case "telephony.externalcall.show":
      case "telephony.externalcall.hide":
        return this.showHide(method.endsWith("show"), p);
      case "telephony.externalcall.finish":
        return this.finish(p);
      case "telephony.externalcall.attachrecord":
        return this.attachRecord(p);
      default:
        return this.error(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
    }
  }

  private userGet(p: Record<string, unknown>): Response {
    const filter = (p.filter ?? p.FILTER ?? {}) as Record<string, unknown>;
    const active = filter.ACTIVE === undefined ? undefined : filter.ACTIVE === true || filter.ACTIVE === "true" || filter.ACTIVE === "1" || filter.ACTIVE === "Y";
    const all = this.users.filter((u) => active === undefined || (u.ACTIVE ?? true) === active);
    const start = Number(p.start ?? 0);
    const page = all.slice(start, start + 50).map((u) => ({ ...u, ACTIVE: u.ACTIVE ?? true, USER_TYPE: "employee" }));
    return this.ok(page, { total: all.length, ...(start + 50 < all.length ? { next: start + 50 } : {}) });
  }

  private search(p: Record<string, unknown>): Response {
    if (!p.PHONE_NUMBER) return this.error(400, "ERROR_CORE", "PHONE_NUMBER is empty");
    const wanted = digits(p.PHONE_NUMBER);
    const found = this.entities.filter((e) => digits(e.PHONE) === wanted);
    return this.ok(
      found.map((e) => {
        const user = this.users.find((u) => u.ID === String(e.ASSIGNED_BY_ID));
        return {
          CRM_ENTITY_TYPE: e.CRM_ENTITY_TYPE,
          CRM_ENTITY_ID: e.CRM_ENTITY_ID,
          ASSIGNED_BY_ID: e.ASSIGNED_BY_ID,
          NAME: e.NAME,
          ASSIGNED_BY: { ID: String(e.ASSIGNED_BY_ID), TIMEMAN_STATUS: "OPENED", USER_PHONE_INNER: user?.UF_PHONE_INNER ?? null, WORK_PHONE: null, PERSONAL_PHONE: null, PERSONAL_MOBILE: null },
        };
      }),
    );
  }

  private userOf(p: Record<string, unknown>): FakeUser | undefined | "none" {
    if (p.USER_ID === undefined && p.USER_PHONE_INNER === undefined) return "none";
    const user = p.USER_ID !== undefined ? this.users.find((u) => u.ID === String(p.USER_ID)) : this.users.find((u) => u.UF_PHONE_INNER === String(p.USER_PHONE_INNER));
    return user && (user.ACTIVE ?? true) ? user : undefined;
  }

  private register(p: Record<string, unknown>): Response {
    const user = this.userOf(p);
    if (user === "none") return this.error(400, "ERROR_CORE", "USER_ID or USER_PHONE_INNER should be set");
    if (!user) return this.error(400, "ERROR_CORE", "User is not found or is not active");
    if (![1, 2, 3, 4, 5].includes(Number(p.TYPE))) return this.error(400, "ERROR_CORE", "Unknown TYPE");
    if (p.CALL_START_DATE !== undefined && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$/.test(String(p.CALL_START_DATE))) return this.error(400, "ERROR_CORE", "CALL_START_DATE should be in the ISO-8601 format");
    if (!digits(p.PHONE_NUMBER)) return this.error(400, "ERROR_CORE", "Unsupported phone number format");
    const key = (q: Record<string, unknown>) => [digits(q.PHONE_NUMBER), Number(q.TYPE), this.userOf(q) && (this.userOf(q) as FakeUser).ID, q.LINE_NUMBER ?? "", this.ignoreExternalCallId ? "" : (q.EXTERNAL_CALL_ID ?? "")].join("|");
    const now = this.clock();
    const again = this.calls.find((c) => !c.finished && now - c.registeredAt < 30 * 60_000 && key(c.params) === key(p));
    const entity = this.entities.find((e) => digits(e.PHONE) === digits(p.PHONE_NUMBER));
    const call = again ?? { CALL_ID: `externalCall.${randomBytes(16).toString("hex")}.${Math.floor(now / 1000)}`, params: p, registeredAt: now, shownTo: [], hiddenFrom: [] };
    if (!again) this.calls.push(call);
    return this.ok({ CALL_ID: call.CALL_ID, CRM_CREATED_LEAD: null, CRM_CREATED_ENTITIES: [], CRM_ENTITY_TYPE: entity?.CRM_ENTITY_TYPE ?? "", CRM_ENTITY_ID: entity?.CRM_ENTITY_ID ?? 0 });
  }

  private showHide(show: boolean, p: Record<string, unknown>): Response {
    const call = this.calls.find((c) => c.CALL_ID === p.CALL_ID && !c.finished);
    if (!call) return this.ok(false);
    const users = asList(p.USER_ID).map(String);
    (show ? call.shownTo : call.hiddenFrom).push(...(users.length ? users : [String(call.params.USER_ID)]));
    return this.ok(true);
  }

  private finish(p: Record<string, unknown>): Response {
    if (typeof p.CALL_ID !== "string") return this.error(400, "INVALID_ARGUMENT", "CALL_ID must be a string");
    const call = this.calls.find((c) => c.CALL_ID === p.CALL_ID && !c.finished);
    if (!call) return this.error(400, "ERROR_CORE", "Call is not found (call should be registered prior to finishing)");
    const user = this.userOf(p);
    if (user === "none") return this.error(400, "ERROR_CORE", "USER_ID or USER_PHONE_INNER should be set");
    if (!user) return this.error(400, "ERROR_CORE", "User is not found or is not active");
    call.finished = p;
    const duration = Number(p.DURATION ?? 0);
    return this.ok({ CALL_ID: call.CALL_ID, EXTERNAL_CALL_ID: call.params.EXTERNAL_CALL_ID ?? null, PORTAL_USER_ID: Number(user.ID), PHONE_NUMBER: call.params.PHONE_NUMBER, CALL_DURATION: duration, CALL_FAILED_CODE: p.STATUS_CODE ?? (duration > 0 ? "200" : "304"), ID: this.calls.indexOf(call) + 1 });
  }

  private attachRecord(p: Record<string, unknown>): Response {
    if (!p.RECORD_URL && !p.FILENAME) return this.error(400, "", "Required parameters are not set. Request should contain either URL or FILENAME parameter");
    const call = this.calls.find((c) => c.CALL_ID === p.CALL_ID && c.finished);
    if (!call) return this.error(400, "", "Call is not found in the statistic table. It looks like it is not finished yet.");
    call.record = p;
    return this.ok({ FILE_ID: 9079 });
  }

  private takeFromBucket(): boolean {
    const now = this.clock();
    this.level = Math.max(0, this.level - ((now - this.levelAt) / 1000) * this.ratePerSecond);
    this.levelAt = now;
    if (this.level + 1 > this.burst) return false;
    this.level += 1;
    return true;
  }

  private ok(result: unknown, extra: Record<string, unknown> = {}): Response {
    const now = this.clock() / 1000;
    return Response.json({ result, ...extra, time: { start: now, finish: now + 0.01, duration: 0.01, processing: 0, date_start: new Date(now * 1000).toISOString(), date_finish: new Date(now * 1000).toISOString(), operating_reset_at: now + 600, operating: 0 } });
  }

  private error(status: number, code: string, description: string): Response {
    return Response.json({ error: code, error_description: description }, { status });
  }
}
