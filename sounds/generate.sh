#!/usr/bin/env bash
# Regenerates the default prompts as 8 kHz mono 16-bit PCM WAV, the format Asterisk's wav
# module plays without transcoding noise. The WAVs are committed: installing needs nothing
# from here. Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

prompt() {
  local name=$1 text=$2
  espeak-ng -v en-us -s 145 -w "$work/$name.wav" "$text"
  # Resample, normalise to -3 dBFS, and add a short silence at the end so the last word is not clipped.
  sox "$work/$name.wav" -r 8000 -c 1 -b 16 -e signed-integer "$name.wav" norm -3 pad 0 0.3
  echo "sounds/$name.wav: $text"
}

prompt welcome "Thank you for calling. If you know the extension of the person you are calling, please dial it now. Otherwise, please make your selection."
prompt invalid "Sorry, that is not a valid choice. Please try again."
prompt goodbye "Thank you for calling. Goodbye."
