/** Help texts, one per command; `ivr --help` shows the overview. */
export const USAGE: Record<string, string> = {
  overview: `ivr: IVR, FastAGI server and call-control tools beside Asterisk

Usage: ivr [command] [options]

Commands:
  agi [DID]     run one AGI session over stdin/stdout (the default; what Asterisk runs
                from agi-bin: exten => 0212345678,n,AGI(/var/lib/asterisk/agi-bin/ivr))
  serve         run the FastAGI server (agi://127.0.0.1:4573/ivr) until SIGTERM
  version       print the version
  help [CMD]    this text, or the help of one command

Run "ivr <command> --help" for a command's options.
`,
  agi: `Usage: ivr [agi] [DID]

Runs one AGI session over stdin/stdout, as Asterisk starts a script from agi-bin:
  exten => 0212345678,n,AGI(/var/lib/asterisk/agi-bin/ivr)
  exten => _X.,n,AGI(/var/lib/asterisk/agi-bin/ivr,0212345678)   ; DID given as argument
When Asterisk starts it (AST_AGI_DIR is set), every argument is an AGI argument.
SIGHUP from Asterisk marks the call hung up; the session still finishes its bookkeeping.
`,
  serve: `Usage: ivr serve [options]

Runs the FastAGI server. In the dialplan:
  exten => 0212345678,n,AGI(agi://127.0.0.1:4573/ivr)

Options:
  --fastagi HOST:PORT      where to listen (default 127.0.0.1:4573)
  --max-sessions N         concurrent sessions; more connections are refused (default 1000)
  --idle-timeout SECONDS   watchdog: close a session whose handler sends nothing for this
                           long while no command waits for Asterisk (default 30)
  --max-session SECONDS    watchdog: close any session older than this (default 14400)
  --shutdown-grace SECONDS on SIGTERM/SIGINT, let sessions finish this long (default 30)
  --log-level LEVEL        debug, info, warn or error (default info)
`,
  version: `Usage: ivr version

Prints the version.
`,
};
