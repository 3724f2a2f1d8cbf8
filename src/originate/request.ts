import type { IvrConfig } from "../config/schema.ts";
import { newDialId } from "./ids.ts";
import { checkNumber } from "./numbers.ts";
import type { Outbound } from "./settings.ts";
import type { NewDial } from "./store.ts";
import { KINDS, type Kind } from "./types.ts";

/** Who is asking: the administrator, or a client of outbound.clients with its kinds. */
export interface Caller {
  client: string;
  kinds: readonly Kind[];
}

export type Refusal = { status: 400 | 403 | 409; error: string; reason: string };

const EXTENSION = /^[0-9]{2,15}$/;
const QUEUE = /^[^\s,|]{1,64}$/;
/** JSON a requester attaches to a dial (echoed in its events) stays small. */
const MAX_DATA_BYTES = 4096;

/**
 * POST /api/originate's body, checked: the kind (and that this caller may ask for it), the
 * number (E.164 in the enterprise's country, of an allowed type: toll fraud is refused with
 * the reason), what the kind needs (an extension; a queue or an extension; a campaign whose
 * message to play), an optional trunk and `not_before`. Callbacks and messages carry their
 * schedule (callbacks.schedule, the campaign's): they wait for its opening.
 */
export function readOriginateRequest(body: unknown, outbound: Outbound, config: IvrConfig, caller: Caller, now: number): { dial: NewDial } | Refusal {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return bad("the body must be a JSON object", "body");
  const fields = body as Record<string, unknown>;
  const text = (key: string) => (typeof fields[key] === "string" || typeof fields[key] === "number" ? String(fields[key]).trim() : undefined);
  const kind = text("kind") as Kind | undefined;
  if (!kind || !KINDS.includes(kind)) return bad(`kind must be one of ${KINDS.join(", ")}`, "kind");
  if (!caller.kinds.includes(kind)) return { status: 403, error: `client ${caller.client} may not ask for ${kind} (outbound.clients.${caller.client}.kinds)`, reason: "kind_not_allowed" };

  const enterprise = text("enterprise") ?? null;
  if (enterprise !== null && !Object.hasOwn(config.smart?.enterprises ?? {}, enterprise)) return bad(`no enterprise "${enterprise}" under smart.enterprises`, "enterprise");
  const to = text("to");
  if (!to) return bad("to is required: the number to call", "to");
  const checked = checkNumber(to, outbound.numberRules(enterprise));
  if (!checked.ok) return bad(checked.reason, checked.code === "invalid" ? "invalid_number" : checked.code === "type" ? "number_type_not_allowed" : "country_not_allowed");

  let extension: string | null = null;
  let queue: string | null = null;
  let menu: string | null = null;
  let schedule: string | null = null;
  let trunk = text("trunk") ?? outbound.defaultTrunk;
  if (kind === "click-to-call") {
    extension = text("extension") ?? null;
    if (!extension || !EXTENSION.test(extension)) return bad("click-to-call needs extension: the manager's phone, 2-15 digits", "extension");
  } else if (kind === "callback") {
    extension = text("extension") ?? null;
    queue = text("queue") ?? null;
    if ((extension === null) === (queue === null)) return bad("a callback needs a queue or an extension (one of them)", "destination");
    if (extension !== null && !EXTENSION.test(extension)) return bad("extension must be 2-15 digits", "extension");
    if (queue !== null && !QUEUE.test(queue)) return bad("queue must be a queue name without spaces, commas or |", "queue");
    const queues = outbound.settings.callbacks?.queues;
    if (queue !== null && queues && !queues.includes(queue)) return { status: 403, error: `queue ${queue} is not one callbacks may reach (outbound.callbacks.queues)`, reason: "queue_not_allowed" };
    schedule = outbound.settings.callbacks?.schedule ?? null;
  } else {
    menu = text("campaign") ?? null;
    const campaign = menu === null ? undefined : outbound.campaign(menu);
    if (!campaign) return bad(menu === null ? "a message needs campaign: the campaign whose message and menu to play" : `no campaign "${menu}" under outbound.campaigns`, "campaign");
    schedule = campaign.schedule ?? null;
    if (text("trunk") === undefined) trunk = outbound.campaignTrunk(menu!);
  }
  if (!outbound.trunk(trunk)) return bad(`no trunk "${trunk}" under outbound.trunks`, "trunk");

  let notBefore = now;
  if (fields.not_before !== undefined) {
    const at = typeof fields.not_before === "number" ? fields.not_before : Date.parse(String(fields.not_before));
    if (!Number.isFinite(at)) return bad("not_before must be an ISO 8601 time or epoch milliseconds", "not_before");
    notBefore = Math.max(now, at);
  }
  let data: string | null = null;
  if (fields.data !== undefined) {
    data = JSON.stringify(fields.data);
    if (data.length > MAX_DATA_BYTES) return bad(`data is limited to ${MAX_DATA_BYTES} bytes of JSON`, "data");
  }
  return {
    dial: { id: newDialId(now), kind, campaign: null, client: caller.client, enterprise, number: checked.e164, numberRaw: to, extension, queue, menu, trunk, schedule, data, notBefore },
  };
}

function bad(error: string, reason: string): Refusal {
  return { status: 400, error, reason };
}
