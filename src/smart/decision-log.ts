import { appendFileSync } from "node:fs";
import type { NewDecisionRow } from "../history/schema.ts";
import type { WriteQueue } from "../history/write-queue.ts";
import type { Logger } from "../log.ts";
import type { Decision, DecisionRequest } from "./decide.ts";

export interface LoggedDecision {
  at: number;
  via: "http" | "agi";
  enterprise: string;
  uniqueid: string | undefined;
  request: DecisionRequest;
  decision: Decision;
}

/**
 * Every decision, twice: a row in smart_decisions (through the write queue) and a JSON line
 * in the decision log file, which `tail -f | jq` can follow. Logging never fails a decision.
 */
export class DecisionLog {
  private fileFailed = false;

  constructor(
    private readonly queue: WriteQueue | undefined,
    private readonly file: () => string | undefined,
    private readonly log: Logger,
  ) {}

  write(entry: LoggedDecision): void {
    const { decision, request } = entry;
    const row: NewDecisionRow = {
      at: entry.at,
      via: entry.via,
      enterprise: entry.enterprise,
      uniqueid: entry.uniqueid ?? null,
      phoneRaw: request.phone,
      phone: decision.phone,
      trunk: request.line,
      mode: decision.mode,
      rule: decision.rule,
      outcome: decision.outcome,
      name: decision.name,
      dialPlan: decision.dialPlan,
      reason: decision.reason,
      latencyMs: Math.round(decision.latencyMs * 1000) / 1000,
      cached: decision.cached,
    };
    this.queue?.decision(row);
    const file = this.file();
    if (!file) return;
    // The database's column names, so a line and a row read alike.
    const line = JSON.stringify({
      at: new Date(entry.at).toISOString(),
      via: row.via,
      enterprise: row.enterprise,
      uniqueid: row.uniqueid,
      phone_raw: row.phoneRaw,
      phone: row.phone,
      trunk: row.trunk,
      mode: row.mode,
      outcome: row.outcome,
      rule: row.rule,
      name: row.name,
      dial_plan: row.dialPlan,
      reason: row.reason,
      latency_ms: row.latencyMs,
      cached: row.cached,
      steps: decision.steps,
    });
    try {
      appendFileSync(file, `${line}\n`);
      this.fileFailed = false;
    } catch (error) {
      if (!this.fileFailed) this.log.error(`cannot write the decision log ${file}: ${(error as Error).message}`);
      this.fileFailed = true;
    }
  }
}
