#!/usr/bin/env bash
# Installs ivr on an Asterisk server over ssh (or on this machine with --local):
# the binary into agi-bin, the sample config beside it (an existing config is never
# overwritten), the default prompts, optionally a systemd unit for `ivr serve`.
# Run ./install.sh --help for the options.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)

usage() {
  cat <<'EOF'
Usage: ./install.sh [user@]host [options]
       ./install.sh --local [options]

Copies the ivr binary, the sample config and the default prompts to an Asterisk server
over ssh, checks the config there with `ivr check`, and prints the dialplan lines to add.
An existing config is never changed (content, mode, owner): the new sample goes beside it
as config.yaml.new. A new config is mode 0640, owner root, group of the Asterisk user.

Options:
  --local              install on this machine instead of over ssh
  --port N             ssh port (default 22)
  --identity FILE      ssh private key (ssh -i)
  --ssh-option OPT     extra ssh option, e.g. --ssh-option StrictHostKeyChecking=accept-new
                       (repeatable)
  --agi-dir DIR        where the binary and config.yaml go (default /var/lib/asterisk/agi-bin)
  --sounds-dir DIR     where the prompts go (default /var/lib/asterisk/sounds/ivr; the
                       config names them ivr/welcome, ivr/invalid, ivr/goodbye)
  --db-dir DIR         the call history's directory, made writable for the Asterisk user
                       (default /var/lib/asterisk/ivr); a new config records calls there
                       (database.path), for per-call processes and the service alike
  --asterisk-user NAME the user Asterisk runs as, who runs ivr (default asterisk)
  --no-service         do not install the systemd unit for `ivr serve`
  --fastagi HOST:PORT  where the service listens (default 127.0.0.1:4573)
  --unit-dir DIR       where the systemd unit goes (default /etc/systemd/system)
  --binary FILE        the binary to install (default dist/ivr, built if missing or stale)
  -h, --help           this text
EOF
}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

target="" local_install=0 port=22 identity="" ssh_extra=()
agi_dir=/var/lib/asterisk/agi-bin sounds_dir=/var/lib/asterisk/sounds/ivr db_dir=/var/lib/asterisk/ivr
service=1 fastagi=127.0.0.1:4573 unit_dir=/etc/systemd/system binary="" asterisk_user=asterisk
need() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --local) local_install=1 ;;
    --port) need "$@"; port=$2; shift ;;
    --identity) need "$@"; identity=$2; shift ;;
    --ssh-option) need "$@"; ssh_extra+=(-o "$2"); shift ;;
    --agi-dir) need "$@"; agi_dir=$2; shift ;;
    --sounds-dir) need "$@"; sounds_dir=$2; shift ;;
    --db-dir) need "$@"; db_dir=$2; shift ;;
    --no-service) service=0 ;;
    --fastagi) need "$@"; fastagi=$2; shift ;;
    --unit-dir) need "$@"; unit_dir=$2; shift ;;
    --binary) need "$@"; binary=$2; shift ;;
    --asterisk-user) need "$@"; asterisk_user=$2; shift ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$target" ] || die "one host only, got $target and $1"; target=$1 ;;
  esac
  shift
done
if [ "$local_install" = 1 ]; then
  [ -z "$target" ] || die "--local and a host ($target) exclude each other"
else
  [ -n "$target" ] || { usage >&2; exit 2; }
fi
[[ "$port" =~ ^[0-9]+$ ]] || die "--port takes a number, not $port"
[[ "$fastagi" =~ ^[^[:space:]]+:[0-9]+$ ]] || die "--fastagi takes HOST:PORT, not $fastagi"
for dir in "$agi_dir" "$sounds_dir" "$unit_dir" "$db_dir"; do
  [[ "$dir" = /* ]] || die "directories must be absolute paths, not $dir"
done
# The history's path is written into the config as a quoted YAML string.
[[ "$db_dir" != *[\"\\]* && "$db_dir" != *$'\n'* ]] || die "--db-dir must not contain quotes, backslashes or newlines: $db_dir"
[[ "$asterisk_user" =~ ^[a-z_][a-z0-9_.-]*$ ]] || die "--asterisk-user takes a user name, not $asterisk_user"

# The binary: dist/ivr, rebuilt when a source file is newer.
if [ -z "$binary" ]; then
  binary=$here/dist/ivr
  if [ ! -x "$binary" ] || [ -n "$(find "$here/src" "$here/package.json" -newer "$binary" -print -quit 2>/dev/null)" ]; then
    echo "building $binary ..."
    [ -x "$here/node_modules/.bin/bun" ] || die "cannot build: run 'npm ci' first (or give --binary FILE)"
    (cd "$here" && ./node_modules/.bin/bun scripts/build.ts "$binary") || die "the build failed"
  fi
fi
[ -x "$binary" ] || die "no executable binary at $binary"

ssh_cmd=(ssh -p "$port" -o BatchMode=yes -o ConnectTimeout=10 "${ssh_extra[@]}")
[ -n "$identity" ] && ssh_cmd+=(-i "$identity")

# Runs a shell command on the target (or here with --local), stdin passed through.
on_target() {
  if [ "$local_install" = 1 ]; then
    sh -c "$1"
  else
    "${ssh_cmd[@]}" "$target" "$1"
  fi
}

where=${target:-this machine}
if [ "$local_install" = 0 ]; then
  if ! err=$("${ssh_cmd[@]}" "$target" true 2>&1); then
    die "cannot reach $target over ssh (port $port): ${err:-no message}
  Check the address, --port, and that your key is accepted: ssh -p $port $target true"
  fi
fi

# The binary runs only on the platform it was built for (the Bun runtime is inside it).
built_for=$(uname -sm)
remote_platform=$(on_target "uname -sm") || die "cannot run commands on $where"
[ "$remote_platform" = "$built_for" ] || die "$where is $remote_platform but the binary was built on $built_for; build it on a machine like the target"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/sounds"
cp "$binary" "$stage/ivr"
# The sample records calls in the repository's data/; installed, in --db-dir, so that every
# process reading this config (per-call ivr, ivr serve, ivr calls) uses the same file.
sample_db_line='  path: ../data/ivr.sqlite'
grep -qxF "$sample_db_line" "$here/config/ivr.yaml" || die "config/ivr.yaml has no line '$sample_db_line' to point at $db_dir"
DB_FILE="$db_dir/ivr.sqlite" awk -v line="$sample_db_line" '$0 == line { print "  path: \"" ENVIRON["DB_FILE"] "\""; next } { print }' \
  "$here/config/ivr.yaml" >"$stage/config.yaml"
cp "$here"/sounds/*.wav "$stage/sounds/"

# The systemd unit: runs as the asterisk user when there is one (the remote step decides).
cat >"$stage/ivr.service" <<EOF
[Unit]
Description=ivr: FastAGI IVR server beside Asterisk
After=network.target asterisk.service

[Service]
# No --db: the service records where the config says, as the per-call processes do.
ExecStart=$agi_dir/ivr serve --config $agi_dir/config.yaml --fastagi $fastagi
Restart=on-failure
RestartSec=2
# SIGTERM: no new calls, calls in progress get shutdown_grace_seconds (30 s) to finish.
KillSignal=SIGTERM
TimeoutStopSec=45
NoNewPrivileges=yes
@USER@

[Install]
WantedBy=multi-user.target
EOF

# What runs on the target. Values are passed as arguments, never spliced into the code.
cat >"$stage/install-remote.sh" <<'REMOTE'
set -eu
stage=$1 agi_dir=$2 sounds_dir=$3 service=$4 unit_dir=$5 db_dir=$6 asterisk_user=$7
say() { echo "  $*"; }

if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  exec sudo sh "$0" "$@"
fi
mkdir -p "$agi_dir" "$sounds_dir" || { echo "cannot create $agi_dir or $sounds_dir (run as root?)" >&2; exit 1; }

# Replace the binary atomically: a call starting now runs either the old or the new one.
cp "$stage/ivr" "$agi_dir/.ivr.new"
chmod 0755 "$agi_dir/.ivr.new"
mv -f "$agi_dir/.ivr.new" "$agi_dir/ivr"
say "binary:  $agi_dir/ivr ($("$agi_dir/ivr" version))"

# Who runs ivr: the Asterisk user (per-call processes) and the service.
user="" group=""
if id "$asterisk_user" >/dev/null 2>&1; then user=$asterisk_user group=$(id -gn "$asterisk_user"); fi

# A new config is for root and the Asterisk user's group only: it will hold admin_token and
# Smart tokens. Written under umask 077, so it is never readable by others, even briefly.
place_new_config() {
  (umask 077 && cp "$stage/config.yaml" "$1")
  if [ -n "$group" ]; then
    if [ "$(id -u)" = 0 ]; then chown "root:$group" "$1"; else chgrp "$group" "$1" 2>/dev/null || true; fi
    chmod 0640 "$1"
  else
    chmod 0644 "$1"
  fi
}
config="$agi_dir/config.yaml"
if [ -e "$config" ]; then
  # The administrator's file stays exactly as it is: content, mode and owner.
  rm -f "$config.new"
  place_new_config "$config.new"
  say "config:  kept your $config; the new sample is $config.new"
else
  place_new_config "$config"
  say "config:  $config (the sample: edit it, then run $agi_dir/ivr check)"
  [ -n "$group" ] || say "config:  no user $asterisk_user here, so it is readable by all (0644); once it holds tokens, chgrp it to Asterisk's group and chmod 0640"
fi

for wav in "$stage"/sounds/*.wav; do
  cp "$wav" "$sounds_dir/"
  chmod 0644 "$sounds_dir/$(basename "$wav")"
done
say "prompts: $sounds_dir/ ($(cd "$stage/sounds" && ls | tr '\n' ' '))"

# The history is written by per-call processes (the asterisk user) and by ivr serve.
mkdir -p "$db_dir"
if [ -n "$user" ]; then chown "$user:$group" "$db_dir"; chmod 0750 "$db_dir"; fi
say "history: $db_dir/ (ivr.sqlite appears with the first call)"

echo "checking the config on the target:"
# Without $IVR_DB: neither Asterisk nor the service has it, so check says where they record.
if ! env -u IVR_DB "$agi_dir/ivr" check --config "$config" >"$stage/check.out" 2>&1; then
  sed 's/^/  /' "$stage/check.out" >&2
  echo "the config on the target has errors (above); until they are fixed, calls get the built-in defaults" >&2
  exit 1
fi
sed 's/^/  /' "$stage/check.out"
if ! grep -qF "Call history: $db_dir/ivr.sqlite (" "$stage/check.out"; then
  recorded=$(sed -n 's/^Call history: \(.*\) (\(database\.path\|the default\);.*/\1/p' "$stage/check.out")
  say "history: your $config records calls in ${recorded:-another file} (per call and in the service), not in $db_dir/."
  say "         To record them in $db_dir/, add to $config:"
  say "           database:"
  say "             path: \"$db_dir/ivr.sqlite\""
fi

if [ "$service" = 1 ]; then
  mkdir -p "$unit_dir"
  if [ -n "$user" ]; then run_as="User=$user
Group=$group"; else run_as="# No user $asterisk_user here: runs as root. Set User= to the user Asterisk runs as."; fi
  awk -v user="$run_as" '{ if ($0 == "@USER@") print user; else print }' "$stage/ivr.service" >"$unit_dir/ivr.service"
  chmod 0644 "$unit_dir/ivr.service"
  say "service: $unit_dir/ivr.service"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable ivr.service >/dev/null 2>&1 || true
    if ! systemctl restart ivr.service; then
      echo "ivr.service did not start: systemctl status ivr.service; journalctl -u ivr.service" >&2
      exit 1
    fi
    say "service: started (systemctl status ivr.service)"
  else
    say "service: systemd is not running here; start it yourself: $agi_dir/ivr serve --config $config"
  fi
fi
REMOTE

echo "installing on $where:"
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
# One connection carries the files and runs the install. gzip -1: the binary is ~100 MiB and
# halves at the fastest level, where the default level would triple the time on two cores.
if [ "$local_install" = 1 ]; then pack=(cat) unpack="tar -xf -"; else pack=(gzip -1) unpack="tar -xzf -"; fi
remote_stage='d=$(mktemp -d) && trap "rm -rf \"$d\"" EXIT && '"$unpack"' -C "$d" && sh "$d/install-remote.sh" "$d"'
remote_stage+=" $(q "$agi_dir") $(q "$sounds_dir") $service $(q "$unit_dir") $(q "$db_dir") $(q "$asterisk_user")"
tar -C "$stage" -cf - . | "${pack[@]}" | on_target "$remote_stage" || die "the installation on $where failed (see above)"

cat <<EOF

Done. Add the IVR to the dialplan (/etc/asterisk/extensions.conf), one line per DID or a pattern:

  [from-external]
  ; a process per call, from agi-bin:
  exten => _X.,1,AGI($agi_dir/ivr)
   same => n,Hangup()
  ; or through the FastAGI server (ivr serve):
  ;exten => _X.,1,AGI(agi://$fastagi/ivr)
  ; same => n,GotoIf(\$["\${AGISTATUS}" = "FAILURE"]?operator,s,1)
  ; same => n,Hangup()

then: asterisk -rx "dialplan reload"
Queue calls: set setinterfacevar=yes in queues.conf so ivr can tell which member answered.
EOF
