#!/usr/bin/env bash
# Chat with the assistant in the terminal: starts the action server and `rasa shell`
# (python -m launcher shell, launcher/shell.py).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

bash scripts/setup.sh
model="$(bash scripts/train.sh)"
exec python -m launcher shell --model "$model"
