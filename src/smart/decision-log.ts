import { appendFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import type { IvrConfig } from "../config/schema.ts";
import type { NewDecisionRow } from "../history/schema.ts";
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
 * Every decision, twice: a row in smart_decisions and a JSON line
 * in the decision log file, which `tail -f | jq` can follow. Logging never fails a decision.
 */
export class DecisionLog {
  private fileFailed = false;

  constructor(
    /** Where rows go: ivr serve's write queue, or a direct insert in a per-call process. */
    private readonly writeRow: ((row: NewDecisionRow) => void) | undefined,
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
    try {
      this.writeRow?.(row);
    } catch (error) {
      this.log.error(`decision not recorded in the history: ${(error as Error).message}`);
    }
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

/**
 * smart.decision_log (relative to the config file; "" turns the file off), by default
 * smart-decisions.jsonl beside the database.
 */
export function decisionLogFile(config: IvrConfig, configPath: string | undefined, dbPath: string): string | undefined {
  const configured = config.smart?.decision_log;
  if (configured === "") return undefined;
  if (configured) return isAbsolute(configured) || !configPath ? configured : resolve(dirname(configPath), configured);
  return join(dirname(dbPath), "smart-decisions.jsonl");
}
