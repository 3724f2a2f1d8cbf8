import type { CallRow } from "./schema.ts";

/** A call as the API and `ivr calls --json` show it: the database's column names, times in ISO 8601. */
export function callJson(row: CallRow) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: row.id,
    uniqueid: row.uniqueid,
    linkedid: row.linkedid,
    source: row.source,
    direction: row.direction,
    started_at: iso(row.startedAt),
    ended_at: iso(row.endedAt),
    hung_up_at: iso(row.hungUpAt),
    external_number: row.externalNumber,
    external_number_raw: row.externalNumberRaw,
    caller_name: row.callerName,
    did: row.did,
    digits: row.digits,
    route_kind: row.routeKind,
    destination: row.destination,
    status: row.status,
    answered_by: row.answeredBy,
    answered_extension: row.answeredExtension,
    wait_seconds: row.waitSeconds,
    talk_seconds: row.talkSeconds,
    detail: row.detail,
    // Seen on AMI (migration 0002): `line` is the trunk, `gap` marks times that may be estimates.
    line: row.line,
    ringing_at: iso(row.ringingAt),
    answered_at: iso(row.answeredAt),
    caller_extension: row.callerExtension,
    answered_user_id: row.answeredUserId,
    answered_user: row.answeredUser,
    queue: row.queue,
    queue_joined_at: iso(row.queueJoinedAt),
    hangup_cause: row.hangupCause,
    hangup_cause_text: row.hangupCauseText,
    tracked: row.tracked,
    gap: row.gap,
  };
}
