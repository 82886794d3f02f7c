#!/usr/bin/env bash
# Chat with the assistant in the terminal: starts the action server and `rasa shell`.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

bash scripts/setup.sh
model="$(bash scripts/train.sh)"
python -m actions.server >var/actions.log 2>&1 &
actions_pid=$!
trap 'kill $actions_pid 2>/dev/null || true' EXIT
rasa shell --model "$model" --endpoints endpoints.yml
