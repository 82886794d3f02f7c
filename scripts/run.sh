#!/usr/bin/env bash
# make run: set up, train if needed, then start the action server, the Rasa server, the
# demo clinic page and the staff app (STAFF_APP=0 leaves it out) on this machine
# (python -m launcher run, launcher/run.py). Ctrl-C stops them.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

bash scripts/setup.sh
model="$(bash scripts/train.sh)"
exec python -m launcher run --model "$model"
