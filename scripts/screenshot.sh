#!/usr/bin/env bash
# Write docs/widget.png and docs/widget-phone.png: the chat widget on the demo clinic page,
# mid-conversation. Starts the servers it needs on free ports and stops them afterwards.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

bash scripts/setup.sh
model="$(bash scripts/train.sh)"
python scripts/screenshot.py --model "$model" --out docs
