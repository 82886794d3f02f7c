#!/usr/bin/env bash
# make forget SENDER=... / make purge DAYS=...: delete conversations from the tracker store
# that endpoints.yml configures (scripts/retention.py says how).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
bash scripts/setup.sh >/dev/null
python -W ignore scripts/retention.py "$@"
