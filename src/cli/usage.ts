/** Help texts, one per command; `ivr --help` shows the overview. */
export const USAGE: Record<string, string> = {
  overview: `ivr: IVR, FastAGI server and call-control tools beside Asterisk

Usage: ivr [command] [options]

Commands:
  agi           run one AGI session over stdin/stdout (the default; what Asterisk runs
                from agi-bin: exten => 0212345678,n,AGI(/var/lib/asterisk/agi-bin/ivr))
  serve         run the FastAGI server (agi://127.0.0.1:4573/ivr) and the HTTP API
                (Smart Redirect, call history; 127.0.0.1:8021) until SIGTERM
  check         validate the config and show each DID's menu
  simulate      a test call: run the IVR against a simulated channel
  calls         list the call history
  dialplan      the Smart Redirect contexts for extensions.conf, and the hooks
  ami           the manager.conf section for ivr serve's AMI user (--manager-conf)
  version       print the version
  help [CMD]    this text, or the help of one command

Config: --config FILE, else $IVR_CONFIG, else config.yaml beside the binary, else
/var/lib/asterisk/agi-bin/config.yaml, /var/lib/asterisk/agi-bin/ivr-config.yaml,
/etc/asterisk/ivr-config.yaml, /usr/local/etc/asterisk/ivr-config.yaml, ./config.yaml.

Run "ivr <command> --help" for a command's options.
`,
  agi: `Usage: ivr [agi] [--config FILE] [--db FILE]

Runs the IVR for one call over stdin/stdout, as Asterisk starts a script from agi-bin:
  exten => 0212345678,n,AGI(/var/lib/asterisk/agi-bin/ivr)
  exten => _X.,n,AGI(/var/lib/asterisk/agi-bin/ivr,0212345678)   ; DID given as argument
When Asterisk starts it (AST_AGI_DIR is set), every argument is an AGI argument.
The config is read at every call, so edits apply to the next call; an invalid edit is
logged and the last good config is used. SIGHUP from Asterisk marks the call hung up;
the IVR still reads how the call ended. The call is written to the history (--db, else
$IVR_DB, else database.path, else /var/lib/asterisk/ivr/ivr.sqlite) after the AGI session
is closed, so the dialplan does not wait for it.
`,
  serve: `Usage: ivr serve [options]

Runs the FastAGI server and the HTTP API. In the dialplan:
  exten => 0212345678,n,AGI(agi://127.0.0.1:4573/ivr)                  ; the IVR
  same => n,AGI(agi://127.0.0.1:4573/smart?enterprise=0367)            ; Smart Redirect: sets NEXT
  (ivr dialplan --hooks prints the whole Smart Redirect hook)
The config file is watched: a valid edit applies to the next call, an invalid one is
logged with its position and the last good config stays.

Options (each wins over the config's server: section):
  --config FILE            the config (see ivr --help for where it is looked for)
  --db FILE                the call history (default database.path, else
                           /var/lib/asterisk/ivr/ivr.sqlite)
  --fastagi HOST:PORT      where FastAGI listens (default 127.0.0.1:4573)
  --http HOST:PORT         where the HTTP API listens (default 127.0.0.1:8021)
  --max-sessions N         concurrent sessions; more connections are refused (default 1000)
  --idle-timeout SECONDS   watchdog: close a session whose handler sends nothing for this
                           long while no command waits for Asterisk (default 30)
  --max-session SECONDS    watchdog: close any session older than this (default 14400)
  --shutdown-grace SECONDS on SIGTERM/SIGINT, let sessions finish this long (default 30)
  --log-level LEVEL        debug, info, warn or error (default info)
`,
  check: `Usage: ivr check [--config FILE]

Validates the config. On success prints what callers of each DID get; on errors prints
each as FILE:LINE:COLUMN: key.path: message and exits 1.
`,
  simulate: `Usage: ivr simulate --did DID [--press KEYS] [--caller NUMBER] [--result RESULT] [--config FILE]

A test call: runs the IVR against a simulated Asterisk and prints the AGI conversation and
the outcome. Nothing is dialed.
  --did DID        the number the caller dialed
  --press KEYS     what the caller does, in order: 0-9 * # are keys, "," lets a timeout
                   pass, "h" hangs up; e.g. --press 1, --press 7,2, --press 101#
  --caller NUMBER  the caller id (default +66812345678)
  --result RESULT  how the queue or extension answers: answer (default), busy, noanswer,
                   unavailable, abandon (the caller hangs up while waiting)
  --verbose        also print the IVR's log lines
`,
  calls: `Usage: ivr calls [--phone NUMBER] [--did DID] [--status STATUS] [--limit N] [--json] [--db FILE] [--config FILE]

Lists the call history, newest first (20 by default). --phone takes any spelling of the
number (it is normalized with the config's country). --status: answered, busy, no_answer,
unavailable, abandoned, failed, hungup_in_menu, no_selection. --json prints one call per line.
`,
  dialplan: `Usage: ivr dialplan [--enterprise ID] [--write FILE | --check] [--hooks] [--config FILE]

The Smart Redirect contexts mngr<phone>_<line>_<step> for every line with Smart Redirect
and every phone (Follow Me chains included), from the config's smart: section.
  (no option)      print the block, markers included
  --write FILE     put it between the ;****Smart Redirection**** markers of FILE (added at
                   the end if absent), leaving every other byte as it was; the previous file
                   is kept as FILE.bak; nothing is written when nothing changes
  --check          exit 1 if FILE (--write, or smart.dialplan.file) is not up to date
  --enterprise ID  only this enterprise's contexts
  --hooks          print what replaces Macro(getcustomerdata) in the inbound context: the
                   FastAGI hook (agi://.../smart) and a CURL Gosub for PBXs on HTTP
`,
  version: `Usage: ivr version

Prints the version.
`,
  ami: `Usage: ivr ami --manager-conf [--permit ADDR] [--config FILE]

Prints the manager.conf section for ivr serve's AMI user (the ami: section's username):
the least privilege it needs (read = call,agent,system; write = reporting,originate),
event filters in Asterisk 22's syntax that drop VarSet, Newexten and RTCP events, and a
permit for the address ivr serve connects from (--permit, default 127.0.0.1). The secret is
left for you to fill in: it is never printed.
`,
};
