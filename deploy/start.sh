#!/usr/bin/env bash
# Start one role of the assistant in a container: rasa | actions | web | staff, with the
# command and the environment `make run` gives it (python -m launcher role, launcher/).
# The Rasa server's model: MODEL if set, else the live version the staff app published
# (models/published/), else the one built into the image (models/LATEST).
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
cd "$ROOT"
exec python -m launcher role "${1:-rasa}"
