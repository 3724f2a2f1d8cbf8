import { dirname, isAbsolute, join, resolve } from "node:path";
import type { IvrConfig } from "../config/schema.ts";
import type { NewDecisionRow } from "../history/schema.ts";
import type { Logger } from "../log.ts";
import type { Decision, DecisionRequest } from "./decide.ts";
import { JsonLinesFile, type Rotation } from "./json-lines-file.ts";

export interface LoggedDecision {
  at: number;
  via: "http" | "agi";
  enterprise: string;
  uniqueid: string | undefined;
  request: DecisionRequest;
  decision: Decision;
}

export interface DecisionLogOptions {
  /** How the file is rotated (smart.decision_log_*); the defaults when not given. */
  rotation?: () => Rotation;
  /** Lines gathered for this long and written together (ivr serve); 0 writes each at once. */
  flushMs?: number;
  clock?: () => number;
}

/**
 * Every decision, twice: a row in smart_decisions and a JSON line
 * in the decision log file, which `tail -f | jq` can follow. Logging never fails a decision.
 */
export class DecisionLog {
  private out: JsonLinesFile | undefined;

  constructor(
    /** Where rows go: ivr serve's write queue, or a direct insert in a per-call process. */
    private readonly writeRow: ((row: NewDecisionRow) => void) | undefined,
    private readonly file: () => string | undefined,
    private readonly log: Logger,
    private readonly options: DecisionLogOptions = {},
  ) {}

  /** Writes the lines gathered so far and closes the file (at shutdown). */
  close(): void {
    this.out?.close();
    this.out = undefined;
  }

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
    this.fileFor(file).append(line);
  }

  private fileFor(path: string): JsonLinesFile {
    const rotation = this.options.rotation?.() ?? DEFAULT_ROTATION;
    if (this.out?.path === path) {
      this.out.setRotation(rotation);
      return this.out;
    }
    this.out?.close();
    this.out = new JsonLinesFile(path, rotation, {
      flushMs: this.options.flushMs,
      clock: this.options.clock,
      onError: (message) => this.log.error(`cannot write the decision log ${path} (its lines are dropped until it can): ${message}`),
      onRecovered: () => this.log.info(`the decision log ${path} is written again`),
    });
    return this.out;
  }
}

/** smart.decision_log_max_mb, _max_age_hours, _keep when not set: at most 800 MB on disk. */
export const DEFAULT_ROTATION: Rotation = { maxBytes: 100 * 1024 * 1024, maxAgeMs: 24 * 3_600_000, keep: 7 };

/** How the decision log is rotated, from the config (the defaults for what is not set). */
export function decisionLogRotation(config: IvrConfig): Rotation {
  const smart = config.smart;
  return {
    maxBytes: smart?.decision_log_max_mb === undefined ? DEFAULT_ROTATION.maxBytes : smart.decision_log_max_mb * 1024 * 1024,
    maxAgeMs: smart?.decision_log_max_age_hours === undefined ? DEFAULT_ROTATION.maxAgeMs : smart.decision_log_max_age_hours * 3_600_000,
    keep: smart?.decision_log_keep ?? DEFAULT_ROTATION.keep,
  };
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
