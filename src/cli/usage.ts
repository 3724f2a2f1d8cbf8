import { SIMULATED_EFFECTS, SIMULATED_RESULTS } from "../agi/simulated-results.ts";
import { SEARCH_PATHS } from "../config/paths.ts";
import { DEFAULT_DB_PATH } from "../history/location.ts";
import { CALL_STATUSES } from "../history/statuses.ts";

/**
 * Words joined into lines of at most `width` columns, the lines after the first indented;
 * the first line starts at column `start` (after a flag's name).
 */
function wrap(words: readonly string[], indent = "", start = indent.length, width = 88): string {
  const lines: string[] = [];
  let line = "";
  let column = start;
  for (const word of words) {
    if (line.trim() && column + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
      column = line.length;
    } else {
      line = line ? `${line} ${word}` : word;
      column += (line === word ? 0 : 1) + word.length;
    }
  }
  return [...lines, line].join("\n");
}

/** "a, b, c" as words, so that wrap() breaks after the commas. */
const listed = (items: readonly string[], end = "") => items.map((item, i) => `${item}${i === items.length - 1 ? end : ","}`);

const searchOrder = wrap([..."Config: --config FILE, else $IVR_CONFIG, else config.yaml beside the binary, else the first that exists of".split(" "), ...listed(SEARCH_PATHS, ".")], "", 0);

const CONFIG_FLAG = "  --config FILE    the config (default: found as ivr --help says)";

const FLAG_INDENT = " ".repeat(19);
/** --db's description, wrapped to start at the column of `indent`. */
const dbFlag = (indent: string) =>
  wrap(`the call history (default $IVR_DB, else database.path in the config, relative to it, else ${DEFAULT_DB_PATH})`.split(" "), indent);

const resultTable = (() => {
  const rows = SIMULATED_RESULTS.map((result) => {
    const { extension, queue } = SIMULATED_EFFECTS[result];
    return [result, `${extension.variables} (${extension.status})`, `${queue.variables} (${queue.status})`];
  });
  const table = [["RESULT", "on an extension (Dial)", "on a queue (Queue)"], ...rows];
  const widths = [0, 1].map((i) => Math.max(...table.map((row) => row[i]!.length)));
  return table.map((row) => `                   ${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]}`).join("\n");
})();

/** Help texts, one per command; `ivr --help` shows the overview. */
export const USAGE: Record<string, string> = {
  overview: `ivr: IVR, FastAGI server and call-control tools beside Asterisk

Usage: ivr [command] [options]

Commands:
  agi           run one AGI session over stdin/stdout (the default; what Asterisk runs
                from agi-bin: exten => 0212345678,n,AGI(/var/lib/asterisk/agi-bin/ivr))
  serve         run the FastAGI server (agi://127.0.0.1:4573/ivr) and the HTTP API
                (Smart Redirect, call history; 127.0.0.1:8021) until SIGTERM
  check         validate the config and show each DID's menu and each schedule
  simulate      a test call: run the IVR against a simulated Asterisk
  calls         list the call history
  dialplan      the Smart Redirect contexts for extensions.conf, the hooks, the schedules
  ami           the manager.conf section for ivr serve's AMI user (call tracking)
  webhooks      send a signed sample to a webhook URL; a new secret; the events' schemas
  version       print the version
  help [CMD]    this text, or the help of one command

${searchOrder}
Every command but version takes --config FILE.

Run "ivr <command> --help" for a command's options.
`,
  agi: `Usage: ivr [agi] [--config FILE] [--db FILE]

Runs the IVR for one call over stdin/stdout, as Asterisk starts a script from agi-bin:
  exten => 0212345678,n,AGI(/var/lib/asterisk/agi-bin/ivr)
  exten => _X.,n,AGI(/var/lib/asterisk/agi-bin/ivr,0212345678)   ; DID given as argument
When Asterisk starts it (AST_AGI_DIR is set), every argument is an AGI argument.
The config is read at every call, so edits apply to the next call; an invalid edit is
logged and the last good config is used. SIGHUP from Asterisk marks the call hung up;
the IVR still reads how the call ended. The call is written to the history after the AGI
session is closed.
${CONFIG_FLAG}
  --db FILE        ${dbFlag(FLAG_INDENT)}
`,
  serve: `Usage: ivr serve [options]

Runs the FastAGI server and the HTTP API. In the dialplan:
  exten => 0212345678,n,AGI(agi://127.0.0.1:4573/ivr)                  ; the IVR
  same => n,AGI(agi://127.0.0.1:4573/smart?enterprise=0367)            ; Smart Redirect: sets NEXT
  (ivr dialplan --hooks prints the whole Smart Redirect hook)
The config file is watched: a valid edit applies to the next call, an invalid one is
logged with its position and the last good config stays.

Options (each wins over the config's server: section):
  --config FILE            the config (default: found as ivr --help says)
  --db FILE                ${dbFlag(" ".repeat(27))}
  --fastagi HOST:PORT      where FastAGI listens (default 127.0.0.1:4573)
  --http HOST:PORT         where the HTTP API listens (default 127.0.0.1:8021)
  --max-sessions N         concurrent sessions; more connections are refused (default 1000)
  --idle-timeout SECONDS   watchdog: close a session whose handler sends nothing for this
                           long while no command waits for Asterisk (default 30)
  --max-session SECONDS    watchdog: close any session older than this (default 14400)
  --shutdown-grace SECONDS on SIGTERM/SIGINT, let sessions finish this long (default 30)
  --log-level LEVEL        debug, info, warn or error (default info)
`,
  check: `Usage: ivr check [--at TIME] [--config FILE]

Validates the config. On success prints what callers of each DID get, where calls are
recorded, the Smart Redirect setup, the outbound calls (and the AMI rights they need), and
each schedule's state and next change (and who uses it); on errors prints each as
FILE:LINE:COLUMN: key.path: message and exits 1.
  --at TIME        the moment the schedules are shown at (default now): 2026-12-31T18:05
                   is read in each schedule's own zone, 2026-12-31T17:05Z or +01:00 is that
                   instant; overrides (ivr serve's) are not included
${CONFIG_FLAG}
`,
  simulate: `Usage: ivr simulate --did DID [--press KEYS] [--caller NUMBER] [--result RESULT]
                    [--at TIME] [--config FILE | --fastagi HOST:PORT] [--verbose]
       ivr simulate --campaign NAME [--press KEYS] [--caller NUMBER] [--result RESULT]
                    [--config FILE] [--verbose]

A test call: runs the IVR against a simulated Asterisk and prints the AGI conversation and
the outcome. Nothing is dialed.
  --did DID        the number the caller dialed
  --press KEYS     what the caller does, in order: 0-9 * # are keys, "," lets a timeout
                   pass, "h" hangs up; e.g. --press 1, --press 7,2, --press 101#. A key
                   pressed during a prompt that does not listen for it is lost, as in
                   Asterisk; the conversation says so (# key * lost ...)
  --caller NUMBER  the caller id (default +66812345678)
  --result RESULT  how the queue or extension the IVR routes to answers (default answer):
${resultTable}
                   abandon: the caller hangs up while it rings or waits
  --at TIME        the moment of the call, for the DID's schedule (default now):
                   2026-12-31T18:05 in the schedule's zone, or 2026-12-31T17:05Z; overrides
                   (ivr serve's) are not included; not with --fastagi
  --config FILE    the config whose menus answer (default: found as ivr --help says);
                   the call runs in this process and is not recorded
  --fastagi HOST:PORT
                   send the call to a running ivr serve instead (its config answers), as
                   AGI(agi://HOST:PORT/ivr) would; the server records it in its history
  --campaign NAME  instead of --did: the message and menu of outbound.campaigns.NAME as the
                   customer who answered hears them, with the keys of --press (--result: how
                   a transfer's queue or extension answers); nothing is dialed, raised or
                   added to the do-not-call list: what would be is printed
  --verbose        also print the IVR's log lines (without --fastagi)
`,
  calls: `Usage: ivr calls [--phone NUMBER] [--did DID] [--status STATUS] [--limit N] [--json]
                 [--db FILE] [--config FILE]

Lists the call history, newest first. Read-only: it never creates or changes the file.
  --phone NUMBER   calls with this number, in any spelling (normalized with the config's
                   country)
  --did DID        calls to this DID
  --status STATUS  ${wrap([..."only calls with this status:".split(" "), ...listed(CALL_STATUSES)], FLAG_INDENT)}
  --limit N        at most N calls (default 20)
  --json           one call per line, as JSON
  --db FILE        ${dbFlag(FLAG_INDENT)}
${CONFIG_FLAG}
`,
  dialplan: `Usage: ivr dialplan [--enterprise ID] [--write FILE] [--check] [--hooks] [--config FILE]
       ivr dialplan --schedules [--config FILE]

The Smart Redirect contexts mngr<phone>_<line>_<step> for every line with Smart Redirect
and every phone (Follow Me chains included), from the config's smart: section, and with an
outbound: section the context outbound calls land in ([ivr-outbound]), in the same block.
  (no option)      print the block, markers included
  --write FILE     put it between the ;****Smart Redirection**** markers of FILE (added at
                   the end if absent), leaving every other byte as it was; the previous file
                   is kept as FILE.bak; nothing is written when nothing changes
  --check          write nothing; exit 1 if the file is not up to date: with --write FILE,
                   that file; alone, smart.dialplan.file
  --enterprise ID  only this enterprise's contexts
  --hooks          print what replaces Macro(getcustomerdata) in the inbound context: the
                   FastAGI hook (agi://.../smart) and a CURL Gosub for PBXs on HTTP
  --schedules      print the schedules: section as GotoIfTime lines, a Gosub context
                   ivr-schedule-<name> per schedule returning open or closed (overrides
                   cannot be expressed there)
${CONFIG_FLAG}
`,
  version: `Usage: ivr version

Prints the version.
`,
  ami: `Usage: ivr ami --manager-conf [--permit ADDR] [--config FILE]

Prints the manager.conf section for ivr serve's AMI user (the ami: section's username):
the least privilege it needs (read = call,agent,system; write = reporting,originate,call),
event filters in Asterisk 22's syntax that drop VarSet, Newexten and RTCP events, and a
permit for the address ivr serve connects from (--permit, default 127.0.0.1). The secret is
left for you to fill in: it is never printed.
`,
  webhooks: `Usage: ivr webhooks test URL [--event TYPE] [--secret SECRET] [--timeout SECONDS]
                            [--config FILE]
       ivr webhooks secret
       ivr webhooks schema [TYPE]

Webhooks (the config's integrations.webhooks) are signed the Standard Webhooks way:
webhook-id, webhook-timestamp and webhook-signature (v1, HMAC-SHA256 of id.timestamp.body).
  test URL         POST a signed sample event to URL, print what was sent and the answer;
                   exit 0 on a 2xx answer, 1 otherwise
  --event TYPE     ${wrap([..."the sample's type (default call.ended):".split(" "), ...listed(["call.started", "call.ringing", "call.answered", "call.transferred", "call.merged", "call.ended", "ivr.input", "smart.decision", "originate.queued", "originate.dialing", "originate.ringing", "originate.answered", "originate.ended", "campaign.action", "campaign.started", "campaign.paused", "campaign.resumed", "campaign.cancelled", "campaign.done"])], FLAG_INDENT)}
  --secret SECRET  the signing secret (whsec_...); default: the secret of the configured
                   webhook with this URL
  --timeout SECONDS
                   how long to wait for the answer (default 10)
  secret           print a new signing secret (whsec_ and 32 random bytes, base64)
  schema [TYPE]    print the JSON Schema of an event type's body (all types without TYPE)
${CONFIG_FLAG}
`,
};
