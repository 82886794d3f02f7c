#!/usr/bin/env bash
# Re-pin requirements.txt: install requirements.in into a fresh environment and freeze it.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"python$PYTHON_VERSION" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --quiet --upgrade "pip==23.3.2"
"$tmp/venv/bin/python" -m pip install --quiet -r requirements.in
{
  echo "# Generated from requirements.in by 'make lock' (pip freeze in a fresh .venv). Do not edit."
  "$tmp/venv/bin/python" -m pip freeze --exclude-editable
} >requirements.txt
echo "lock: requirements.txt updated"
