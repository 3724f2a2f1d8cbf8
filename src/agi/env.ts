/**
 * The environment Asterisk sends before the first command: `agi_<key>: <value>` lines,
 * ended by a blank line (read by EnvReader). Values are not escaped, so a value may itself
 * contain ": " or a line break.
 * Missing caller id, dnid and rdnis arrive as the literal "unknown".
 */
export interface AgiEnv {
  /** True for FastAGI (`agi_network: yes`). */
  readonly network: boolean;
  /**
   * The script requested: for FastAGI the path of agi_network_script without its query
   * and surrounding slashes (`agi://host/ivr?x=1` -> "ivr"); for stdin the file name of
   * agi_request.
   */
  readonly script: string;
  /** The query of agi_network_script, decoded (Asterisk passes it through undecoded). */
  readonly params: Readonly<Record<string, string>>;
  readonly request: string;
  readonly channel: string;
  readonly language: string;
  readonly type: string;
  readonly uniqueid: string;
  readonly version: string;
  readonly callerid: string;
  readonly calleridname: string;
  readonly dnid: string;
  readonly rdnis: string;
  readonly context: string;
  readonly extension: string;
  readonly priority: string;
  readonly accountcode: string;
  /** AGI() arguments after the script, agi_arg_1 first. */
  readonly args: readonly string[];
  /** Every line as received, keyed without the `agi_` prefix; unknown keys are kept. */
  readonly vars: Readonly<Record<string, string>>;
}

export function buildEnv(lines: Iterable<[string, string]>): AgiEnv {
  const vars: Record<string, string> = {};
  const args: string[] = [];
  for (const [rawKey, value] of lines) {
    const key = rawKey.startsWith("agi_") ? rawKey.slice(4) : rawKey;
    vars[key] = value;
    const argIndex = key.startsWith("arg_") ? /^arg_(\d+)$/.exec(key) : null;
    if (argIndex) args[Number(argIndex[1]) - 1] = value;
  }
  const get = (key: string) => vars[key] ?? "";
  const network = get("network") === "yes";
  const { script, params } = network
    ? splitScript(get("network_script"))
    : { script: baseName(get("request")), params: {} };
  return {
    network,
    script,
    params,
    request: get("request"),
    channel: get("channel"),
    language: get("language"),
    type: get("type"),
    uniqueid: get("uniqueid"),
    version: get("version"),
    callerid: get("callerid"),
    calleridname: get("calleridname"),
    dnid: get("dnid"),
    rdnis: get("rdnis"),
    context: get("context"),
    extension: get("extension"),
    priority: get("priority"),
    accountcode: get("accountcode"),
    // Asterisk numbers arguments without gaps; fill any hole a peer leaves.
    args: Array.from(args, (arg) => arg ?? ""),
    vars,
  };
}

function splitScript(networkScript: string): { script: string; params: Record<string, string> } {
  const q = networkScript.indexOf("?");
  const path = q === -1 ? networkScript : networkScript.slice(0, q);
  const params: Record<string, string> = {};
  if (q !== -1) {
    for (const [key, value] of new URLSearchParams(networkScript.slice(q + 1))) params[key] = value;
  }
  return { script: path.replace(/^\/+|\/+$/g, ""), params };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Caller id as a number, or undefined when Asterisk says "unknown" or sends nothing. */
export function knownValue(value: string): string | undefined {
  return value === "" || value === "unknown" ? undefined : value;
}
