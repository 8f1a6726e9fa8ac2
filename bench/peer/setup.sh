#!/usr/bin/env bash
# Make the Presidio benchmark peer's own virtualenv, bench/.peer-venv, from requirements.txt
# beside this script, kept apart from Fairwatch's .venv. Safe to run again: it reinstalls only
# when requirements.txt is newer than the stamp left by the last install that worked.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
venv="$(cd "$here/.." && pwd)/.peer-venv"
requirements="$here/requirements.txt"
stamp="$venv/.installed"

if [ -f "$stamp" ] && [ "$stamp" -nt "$requirements" ]; then
  exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
  python3.11 -m venv "$venv" || {
    echo "setup.sh: could not create the peer virtualenv at $venv with python3.11" >&2
    exit 1
  }
fi

rm -f "$stamp"
if ! "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"; then
  echo "setup.sh: installing $requirements into $venv failed (see pip's output above)" >&2
  exit 1
fi
touch "$stamp"
echo "peer virtualenv ready: $venv"
